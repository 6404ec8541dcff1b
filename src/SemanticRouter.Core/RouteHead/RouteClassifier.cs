using System.Numerics.Tensors;
using System.Text;
using SemanticRouter.Numerics;

namespace SemanticRouter.RouteHead;

/// <summary>Training options of <see cref="RouteClassifier"/>.</summary>
public sealed record RouteClassifierOptions
{
    /// <summary>L2 penalty on the weights (per sample: loss = mean CE + L2/2·‖W‖²).</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>Label smoothing ε: the target puts 1−ε on the label and ε spread over all routes.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Standardise features (subtract the mean, divide by the per-dimension deviation) before the linear map.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>Maximum L-BFGS iterations.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>Stop when the relative loss decrease over an iteration falls below this.</summary>
    public double Tolerance { get; init; } = 1e-7;

    /// <summary>Softmax temperature applied at prediction time (1 = as trained).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Worker threads (deterministic for a fixed value).</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>
/// The route head: a multinomial logistic regression on sentence embeddings, trained on the
/// route utterances (full-batch L-BFGS, L2, optional label smoothing), giving P(route | query).
/// Deterministic for fixed inputs and thread count; serialisable so the index artefact can hold it.
/// </summary>
public sealed class RouteClassifier
{
    private const uint Magic = 0x43485253; // "SRHC"
    private const int Version = 1;

    private readonly float[] _weights; // classes × dims, row-major
    private readonly float[] _bias;
    private readonly float[] _mean;
    private readonly float[] _invScale;

    private RouteClassifier(string[] routes, int dimensions, float[] weights, float[] bias, float[] mean, float[] invScale, double temperature)
    {
        Routes = routes;
        Dimensions = dimensions;
        _weights = weights;
        _bias = bias;
        _mean = mean;
        _invScale = invScale;
        Temperature = temperature;
    }

    /// <summary>Route names, in the order of <see cref="PredictProbabilities(ReadOnlySpan{float})"/>.</summary>
    public IReadOnlyList<string> Routes { get; }

    public int Dimensions { get; }

    /// <summary>Softmax temperature: probabilities are softmax(logits / T).</summary>
    public double Temperature { get; }

    /// <summary>Final training loss (mean cross-entropy + penalty); NaN for a deserialised model.</summary>
    public double TrainingLoss { get; private init; } = double.NaN;

    public int Iterations { get; private init; }

    /// <summary>The same weights with another softmax temperature.</summary>
    public RouteClassifier WithTemperature(double temperature)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(temperature);
        return new RouteClassifier((string[])Routes, Dimensions, _weights, _bias, _mean, _invScale, temperature)
        {
            TrainingLoss = TrainingLoss,
            Iterations = Iterations,
        };
    }

    /// <summary>Trains on an n×dims row-major matrix with one label index (0..routes−1) per row.</summary>
    public static RouteClassifier Train(IReadOnlyList<string> routes, ReadOnlySpan<float> embeddings, ReadOnlySpan<int> labels, RouteClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var n = labels.Length;
        if (n == 0 || embeddings.Length % n != 0)
        {
            throw new ArgumentException("embeddings must be labels.Length rows", nameof(embeddings));
        }

        foreach (var y in labels)
        {
            if ((uint)y >= (uint)routes.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), "label outside the route list");
            }
        }

        return Train(routes, embeddings, n, labels.ToArray(), null, options ?? new RouteClassifierOptions());
    }

    /// <summary>
    /// Trains on soft targets: per row a probability distribution over the routes (n×routes,
    /// row-major; cross-entropy against it). A one-hot row trains exactly as its label does in
    /// <see cref="Train(IReadOnlyList{string}, ReadOnlySpan{float}, ReadOnlySpan{int}, RouteClassifierOptions?)"/>.
    /// </summary>
    public static RouteClassifier TrainOnTargets(IReadOnlyList<string> routes, ReadOnlySpan<float> embeddings, ReadOnlySpan<float> targets, RouteClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var c = routes.Count;
        var n = c == 0 ? 0 : targets.Length / c;
        if (n == 0 || targets.Length != n * c || embeddings.Length % n != 0)
        {
            throw new ArgumentException("targets must be one row of routes.Count probabilities per embedding row", nameof(targets));
        }

        for (var i = 0; i < n; i++)
        {
            var row = targets.Slice(i * c, c);
            foreach (var t in row)
            {
                if (!(t >= 0))
                {
                    throw new ArgumentOutOfRangeException(nameof(targets), $"row {i}: a target is not a probability ({t})");
                }
            }

            if (Math.Abs(TensorPrimitives.Sum(row) - 1) > 1e-4)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"row {i}: targets sum to {TensorPrimitives.Sum(row)}, not 1");
            }
        }

        return Train(routes, embeddings, n, null, targets.ToArray(), options ?? new RouteClassifierOptions());
    }

    private static RouteClassifier Train(IReadOnlyList<string> routes, ReadOnlySpan<float> embeddings, int n, int[]? labels, float[]? targets, RouteClassifierOptions options)
    {
        var d = embeddings.Length / n;
        var c = routes.Count;
        var mean = new float[d];
        var invScale = new float[d];
        if (options.Standardize)
        {
            var sum = new double[d];
            var sq = new double[d];
            for (var i = 0; i < n; i++)
            {
                var row = embeddings.Slice(i * d, d);
                for (var j = 0; j < d; j++)
                {
                    sum[j] += row[j];
                    sq[j] += (double)row[j] * row[j];
                }
            }

            for (var j = 0; j < d; j++)
            {
                var m = sum[j] / n;
                var v = Math.Max((sq[j] / n) - (m * m), 1e-12);
                mean[j] = (float)m;
                invScale[j] = (float)(1 / Math.Sqrt(v));
            }
        }
        else
        {
            Array.Fill(invScale, 1f);
        }

        var x = new float[n * d];
        for (var i = 0; i < n; i++)
        {
            var dst = x.AsSpan(i * d, d);
            TensorPrimitives.Subtract(embeddings.Slice(i * d, d), mean, dst);
            TensorPrimitives.Multiply(dst, invScale, dst);
        }

        var problem = new SoftmaxProblem(x, labels, targets, n, d, c, options.L2, options.LabelSmoothing, options.Threads);
        var theta = new double[(c * d) + c];
        var (loss, iterations) = Lbfgs.Minimize(problem.Evaluate, theta, options.MaxIterations, options.Tolerance);
        var weights = new float[c * d];
        var bias = new float[c];
        for (var i = 0; i < c * d; i++)
        {
            weights[i] = (float)theta[i];
        }

        for (var k = 0; k < c; k++)
        {
            bias[k] = (float)theta[(c * d) + k];
        }

        return new RouteClassifier([.. routes], d, weights, bias, mean, invScale, options.Temperature)
        {
            TrainingLoss = loss,
            Iterations = iterations,
        };
    }

    /// <summary>Raw logits (before temperature), one per route.</summary>
    public void Logits(ReadOnlySpan<float> embedding, Span<float> logits)
    {
        if (embedding.Length != Dimensions || logits.Length != Routes.Count)
        {
            throw new ArgumentException("wrong dimensions");
        }

        Span<float> z = Dimensions <= 2048 ? stackalloc float[Dimensions] : new float[Dimensions];
        TensorPrimitives.Subtract(embedding, _mean, z);
        TensorPrimitives.Multiply(z, _invScale, z);
        for (var k = 0; k < logits.Length; k++)
        {
            logits[k] = TensorPrimitives.Dot(_weights.AsSpan(k * Dimensions, Dimensions), z) + _bias[k];
        }
    }

    /// <summary>P(route | embedding) = softmax(logits / T), in <see cref="Routes"/> order.</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> embedding)
    {
        var p = new float[Routes.Count];
        PredictProbabilities(embedding, p);
        return p;
    }

    public void PredictProbabilities(ReadOnlySpan<float> embedding, Span<float> probabilities)
    {
        Logits(embedding, probabilities);
        if (Temperature != 1.0)
        {
            TensorPrimitives.Multiply(probabilities, (float)(1 / Temperature), probabilities);
        }

        TensorPrimitives.SoftMax(probabilities, probabilities);
    }

    /// <summary>Writes the model: magic, version, routes, dims, temperature, mean, scale, weights, bias.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        w.Write(Routes.Count);
        foreach (var r in Routes)
        {
            w.Write(r);
        }

        w.Write(Dimensions);
        w.Write(Temperature);
        WriteFloats(w, _mean);
        WriteFloats(w, _invScale);
        WriteFloats(w, _weights);
        WriteFloats(w, _bias);
    }

    public static RouteClassifier ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (r.ReadUInt32() != Magic)
        {
            throw new InvalidDataException("not a route classifier (bad magic)");
        }

        var version = r.ReadInt32();
        if (version != Version)
        {
            throw new InvalidDataException($"route classifier version {version} is not supported");
        }

        var c = r.ReadInt32();
        if (c is <= 0 or > 1_000_000)
        {
            throw new InvalidDataException("bad route count");
        }

        var routes = new string[c];
        for (var i = 0; i < c; i++)
        {
            routes[i] = r.ReadString();
        }

        var d = r.ReadInt32();
        if (d is <= 0 or > 65536)
        {
            throw new InvalidDataException("bad dimensions");
        }

        var t = r.ReadDouble();
        var mean = ReadFloats(r, d);
        var scale = ReadFloats(r, d);
        var weights = ReadFloats(r, c * d);
        var bias = ReadFloats(r, c);
        return new RouteClassifier(routes, d, weights, bias, mean, scale, t);
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(BinaryReader r, int expected)
    {
        var length = r.ReadInt32();
        if (length != expected)
        {
            throw new InvalidDataException("truncated or inconsistent route classifier");
        }

        var bytes = r.ReadBytes(length * 4);
        if (bytes.Length != length * 4)
        {
            throw new InvalidDataException("truncated route classifier");
        }

        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>
    /// Mean (smoothed) cross-entropy + L2 and its gradient, parallel over fixed row blocks. The target
    /// of a row is its label <paramref name="y"/> or its distribution <paramref name="soft"/>.
    /// </summary>
    private sealed class SoftmaxProblem(float[] x, int[]? y, float[]? soft, int n, int d, int c, double l2, double smoothing, int threads)
    {
        private readonly float[] _w = new float[c * d];

        public double Evaluate(double[] theta, double[] gradient)
        {
            for (var i = 0; i < c * d; i++)
            {
                _w[i] = (float)theta[i];
            }

            var blocks = Math.Max(1, Math.Min(threads, n / 64));
            var partialLoss = new double[blocks];
            var partialGrad = new float[blocks][];
            var partialBias = new double[blocks][];
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
            {
                var g = new float[c * d];
                var gb = new double[c];
                var logits = new float[c];
                double loss = 0;
                var start = (int)((long)n * b / blocks);
                var end = (int)((long)n * (b + 1) / blocks);
                var off = (float)(smoothing / c);
                for (var i = start; i < end; i++)
                {
                    var row = x.AsSpan(i * d, d);
                    for (var k = 0; k < c; k++)
                    {
                        logits[k] = TensorPrimitives.Dot(_w.AsSpan(k * d, d), row) + (float)theta[(c * d) + k];
                    }

                    var max = TensorPrimitives.Max(logits);
                    double z = 0;
                    for (var k = 0; k < c; k++)
                    {
                        z += Math.Exp(logits[k] - max);
                    }

                    var logZ = max + Math.Log(z);
                    for (var k = 0; k < c; k++)
                    {
                        var target = (soft is null ? (k == y![i] ? (float)(1 - smoothing) : 0f) : (float)((1 - smoothing) * soft[(i * c) + k])) + off;
                        var logp = logits[k] - logZ;
                        if (target > 0)
                        {
                            loss -= target * logp;
                        }

                        var delta = (float)Math.Exp(logp) - target;
                        gb[k] += delta;
                        TensorPrimitives.MultiplyAdd(row, delta, g.AsSpan(k * d, d), g.AsSpan(k * d, d));
                    }
                }

                partialLoss[b] = loss;
                partialGrad[b] = g;
                partialBias[b] = gb;
            });

            double total = 0;
            Array.Clear(gradient);
            for (var b = 0; b < blocks; b++)
            {
                total += partialLoss[b];
                var g = partialGrad[b];
                for (var i = 0; i < c * d; i++)
                {
                    gradient[i] += g[i];
                }

                for (var k = 0; k < c; k++)
                {
                    gradient[(c * d) + k] += partialBias[b][k];
                }
            }

            var inv = 1.0 / n;
            total *= inv;
            double penalty = 0;
            for (var i = 0; i < c * d; i++)
            {
                gradient[i] = (gradient[i] * inv) + (l2 * theta[i]);
                penalty += theta[i] * theta[i];
            }

            for (var k = 0; k < c; k++)
            {
                gradient[(c * d) + k] *= inv;
            }

            return total + (0.5 * l2 * penalty);
        }
    }
}
