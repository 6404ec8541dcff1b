using SemanticRouter.Numerics;
using SemanticRouter.RouteHead;

namespace SemanticRouter.Core.Tests.RouteHead;

public class RouteClassifierTests
{
    internal static (float[] X, int[] Y) Blobs(int perClass, int classes, int dims, double noise, int seed)
    {
        var rng = new Random(seed);
        var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, dims).Select(_ => rng.NextDouble() - 0.5).ToArray()).ToArray();
        var x = new float[perClass * classes * dims];
        var y = new int[perClass * classes];
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = i % classes;
            var row = x.AsSpan(i * dims, dims);
            for (var d = 0; d < dims; d++)
            {
                row[d] = (float)(centres[y[i]][d] + (noise * (rng.NextDouble() - 0.5)));
            }

            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(row);
            System.Numerics.Tensors.TensorPrimitives.Divide(row, norm, row);
        }

        return (x, y);
    }

    [Fact]
    public void LearnsBlobsDeterministicallyAndRoundTrips()
    {
        var (x, y) = Blobs(30, 5, 16, 0.6, 7);
        string[] routes = ["a", "b", "c", "d", "e"];
        var options = new RouteClassifierOptions { L2 = 1e-3, Threads = 2 };
        var m = RouteClassifier.Train(routes, x, y, options);
        var m2 = RouteClassifier.Train(routes, x, y, options);
        var correct = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var p = m.PredictProbabilities(x.AsSpan(i * 16, 16));
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(p, m2.PredictProbabilities(x.AsSpan(i * 16, 16)));
            correct += Array.IndexOf(p, p.Max()) == y[i] ? 1 : 0;
        }

        Assert.True(correct > 0.95 * y.Length);
        using var stream = new MemoryStream();
        m.WithTemperature(2).WriteTo(stream);
        stream.Position = 0;
        var back = RouteClassifier.ReadFrom(stream);
        Assert.Equal(2, back.Temperature);
        Assert.Equal(m.WithTemperature(2).PredictProbabilities(x.AsSpan(0, 16)), back.PredictProbabilities(x.AsSpan(0, 16)));
        var bytes = stream.ToArray();
        bytes[0] ^= 0xFF;
        Assert.Throws<InvalidDataException>(() => RouteClassifier.ReadFrom(new MemoryStream(bytes)));
        Assert.ThrowsAny<Exception>(() => RouteClassifier.ReadFrom(new MemoryStream(stream.ToArray()[..100])));
    }

    [Fact]
    public void TrainOnTargets_OneHotRowsTrainExactlyAsTheirLabels()
    {
        var (x, y) = Blobs(20, 3, 8, 0.6, 3);
        string[] routes = ["a", "b", "c"];
        var options = new RouteClassifierOptions { L2 = 1e-3, LabelSmoothing = 0.1, Threads = 2 };
        var targets = new float[y.Length * 3];
        for (var i = 0; i < y.Length; i++)
        {
            targets[(i * 3) + y[i]] = 1;
        }

        var labelled = RouteClassifier.Train(routes, x, y, options);
        var soft = RouteClassifier.TrainOnTargets(routes, x, targets, options);

        Assert.Equal(labelled.TrainingLoss, soft.TrainingLoss);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal(labelled.PredictProbabilities(x.AsSpan(i * 8, 8)), soft.PredictProbabilities(x.AsSpan(i * 8, 8)));
        }
    }

    [Fact]
    public void TrainOnTargets_LearnsTheTargetDistributionItself()
    {
        // Blob a's rows all carry the target (0.7, 0.3), blob b's (0.2, 0.8): with little penalty the
        // fitted probabilities are those distributions, not the majority class.
        var (x, y) = Blobs(40, 2, 8, 0.3, 5);
        var targets = y.SelectMany(label => label == 0 ? new[] { 0.7f, 0.3f } : new[] { 0.2f, 0.8f }).ToArray();

        var m = RouteClassifier.TrainOnTargets(["a", "b"], x, targets, new RouteClassifierOptions { L2 = 1e-4, Threads = 1 });

        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal(y[i] == 0 ? 0.7 : 0.2, m.PredictProbabilities(x.AsSpan(i * 8, 8))[0], 1);
        }
    }

    [Theory]
    [InlineData(new[] { 0.5f, 0.6f }, "sum to")]
    [InlineData(new[] { 1.5f, -0.5f }, "not a probability")]
    [InlineData(new[] { 1f }, "one row of routes.Count probabilities")]
    public void TrainOnTargets_RowsThatAreNotDistributions_Refused(float[] row, string message)
    {
        var x = new float[] { 1, 0, 0, 1 };
        var targets = row.Length == 2 ? [1f, 0f, .. row] : row;

        var e = Assert.ThrowsAny<ArgumentException>(() => RouteClassifier.TrainOnTargets(["a", "b"], x, targets));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LbfgsMinimisesAQuadratic()
    {
        double[] x = [5, -3];
        var (loss, _) = Lbfgs.Minimize((t, g) =>
        {
            g[0] = 2 * (t[0] - 1);
            g[1] = 20 * (t[1] + 2);
            return ((t[0] - 1) * (t[0] - 1)) + (10 * (t[1] + 2) * (t[1] + 2));
        }, x, 100, 1e-12);
        Assert.True(loss < 1e-8);
        Assert.Equal(1, x[0], 3);
        Assert.Equal(-2, x[1], 3);
    }
}
