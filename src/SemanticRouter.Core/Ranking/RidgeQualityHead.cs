namespace SemanticRouter.Ranking;

/// <summary>
/// Per model, a ridge regression from the query's embedding to its outcome: P̂_head(m | q) = ȳ_m + (q − x̄)·w_m,
/// clipped to [0, 1], with w_m = (XᵀX + αI)⁻¹ Xᵀ(y_m − ȳ_m) on the centred training embeddings X. One
/// Cholesky factor serves every model. Where the neighbours are few or far, it still generalises
/// over the whole training set (blended with the neighbours' estimate: docs/evaluation.md#routerbench).
/// </summary>
public sealed class RidgeQualityHead
{
    private readonly float[] _mean;
    private readonly double[] _weights; // models × dims
    private readonly double[] _intercepts;

    private RidgeQualityHead(float[] mean, double[] weights, double[] intercepts)
    {
        _mean = mean;
        _weights = weights;
        _intercepts = intercepts;
    }

    public int Models => _intercepts.Length;

    public int Dimensions => _mean.Length;

    /// <summary>Fits on <paramref name="rows"/> (n × dims, row-major) and <paramref name="outcomes"/> (n × models, row-major, in [0, 1]).</summary>
    public static RidgeQualityHead Fit(ReadOnlySpan<float> rows, int dims, ReadOnlySpan<double> outcomes, int models, double alpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dims, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(models, 1);
        if (!(alpha > 0) || !double.IsFinite(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the ridge penalty must be positive and finite");
        }

        var n = rows.Length / dims;
        if (n < 1 || rows.Length != n * dims || outcomes.Length != n * models)
        {
            throw new ArgumentException("rows and outcomes must describe the same n ≥ 1 prompts", nameof(outcomes));
        }

        var mean = new double[dims];
        var yMean = new double[models];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < dims; j++)
            {
                mean[j] += rows[(i * dims) + j];
            }

            for (var m = 0; m < models; m++)
            {
                yMean[m] += outcomes[(i * models) + m];
            }
        }

        for (var j = 0; j < dims; j++)
        {
            mean[j] /= n;
        }

        for (var m = 0; m < models; m++)
        {
            yMean[m] /= n;
        }

        // A = XcᵀXc + αI (lower triangle), B = Xcᵀ(Y − Ȳ)
        var a = new double[dims * dims];
        var b = new double[dims * models];
        var x = new double[dims];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < dims; j++)
            {
                x[j] = rows[(i * dims) + j] - mean[j];
            }

            for (var j = 0; j < dims; j++)
            {
                var xj = x[j];
                var row = j * dims;
                for (var l = 0; l <= j; l++)
                {
                    a[row + l] += xj * x[l];
                }

                for (var m = 0; m < models; m++)
                {
                    b[(j * models) + m] += xj * (outcomes[(i * models) + m] - yMean[m]);
                }
            }
        }

        for (var j = 0; j < dims; j++)
        {
            a[(j * dims) + j] += alpha;
        }

        Cholesky(a, dims);
        var weights = new double[models * dims];
        var column = new double[dims];
        for (var m = 0; m < models; m++)
        {
            for (var j = 0; j < dims; j++)
            {
                column[j] = b[(j * models) + m];
            }

            Solve(a, dims, column);
            column.CopyTo(weights, m * dims);
        }

        return new RidgeQualityHead([.. mean.Select(v => (float)v)], weights, yMean);
    }

    /// <summary>The fitted head as a file part (<see cref="QualityHeadFile"/>), its models named in fitting order.</summary>
    public QualityHeadFile ToFile(IReadOnlyList<string> models, double l2)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count != Models)
        {
            throw new ArgumentException($"{models.Count} names for {Models} models", nameof(models));
        }

        return new QualityHeadFile
        {
            Models = [.. models],
            L2 = l2,
            Mean = [.. _mean],
            Intercepts = [.. _intercepts],
            Weights = [.. Enumerable.Range(0, Models).Select(m => _weights.AsSpan(m * Dimensions, Dimensions).ToArray())],
        };
    }

    /// <summary>The head a file part describes; every row must have the mean's length.</summary>
    /// <exception cref="InvalidDataException">Inconsistent lengths or a non-finite number.</exception>
    public static RidgeQualityHead FromFile(QualityHeadFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dims = file.Mean.Length;
        var models = file.Models.Length;
        if (dims == 0 || models == 0 || file.Intercepts.Length != models || file.Weights.Length != models || file.Weights.Any(w => w.Length != dims))
        {
            throw new InvalidDataException($"quality_head: {models} models need {models} intercepts and {models} weight rows of the mean's {dims} numbers");
        }

        if (file.Mean.Any(v => !float.IsFinite(v)) || file.Intercepts.Any(v => !double.IsFinite(v)) || file.Weights.Any(w => w.Any(v => !double.IsFinite(v))))
        {
            throw new InvalidDataException("quality_head: every number must be finite");
        }

        return new RidgeQualityHead([.. file.Mean], [.. file.Weights.SelectMany(w => w)], [.. file.Intercepts]);
    }

    /// <summary>P̂_head(m | q) for every model, into <paramref name="destination"/>.</summary>
    public void Predict(ReadOnlySpan<float> query, Span<double> destination)
    {
        if (query.Length != Dimensions || destination.Length < Models)
        {
            throw new ArgumentException($"a query of {Dimensions} dimensions and room for {Models} models are needed");
        }

        for (var m = 0; m < Models; m++)
        {
            var w = _weights.AsSpan(m * Dimensions, Dimensions);
            var s = _intercepts[m];
            for (var j = 0; j < Dimensions; j++)
            {
                s += (query[j] - _mean[j]) * w[j];
            }

            destination[m] = Math.Clamp(s, 0, 1);
        }
    }

    /// <summary>In place: the lower triangle of <paramref name="a"/> becomes L with LLᵀ = A (A symmetric positive definite).</summary>
    private static void Cholesky(double[] a, int d)
    {
        for (var j = 0; j < d; j++)
        {
            var s = a[(j * d) + j];
            for (var k = 0; k < j; k++)
            {
                s -= a[(j * d) + k] * a[(j * d) + k];
            }

            var diagonal = Math.Sqrt(s);
            a[(j * d) + j] = diagonal;
            for (var i = j + 1; i < d; i++)
            {
                var t = a[(i * d) + j];
                for (var k = 0; k < j; k++)
                {
                    t -= a[(i * d) + k] * a[(j * d) + k];
                }

                a[(i * d) + j] = t / diagonal;
            }
        }
    }

    /// <summary>Solves LLᵀx = b in place, L from <see cref="Cholesky"/>.</summary>
    private static void Solve(double[] l, int d, double[] b)
    {
        for (var i = 0; i < d; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++)
            {
                s -= l[(i * d) + k] * b[k];
            }

            b[i] = s / l[(i * d) + i];
        }

        for (var i = d - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var k = i + 1; k < d; k++)
            {
                s -= l[(k * d) + i] * b[k];
            }

            b[i] = s / l[(i * d) + i];
        }
    }
}
