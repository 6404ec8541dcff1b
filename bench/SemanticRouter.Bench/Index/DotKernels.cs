using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using SemanticRouter.Index;
using Spectre.Console;

namespace SemanticRouter.Bench.Index;

/// <summary>Is the hand-unrolled Vector256 dot product worth it over <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>?</summary>
internal static class DotKernels
{
    public static JsonObject Measure(int dims, Table table)
    {
        const int Rows = 2048, Rounds = 500;
        var random = new Random(3);
        float[] rows = Enumerable.Range(0, Rows * dims).Select(_ => (float)random.NextDouble()).ToArray();
        float[] query = rows[..dims];
        double Time(Func<float> body)
        {
            body();
            var sw = Stopwatch.StartNew();
            float sink = body();
            double ns = sw.Elapsed.TotalNanoseconds / ((double)Rows * Rounds);
            return ns + (sink == 12345f ? 1 : 0);
        }

        double tensor = double.PositiveInfinity, unrolled = double.PositiveInfinity;
        for (int round = 0; round < 5; round++)
        {
            // Interleaved and best of five: the machine is shared.
            tensor = Math.Min(tensor, TimeTensor());
            unrolled = Math.Min(unrolled, TimeUnrolled());
        }

        double TimeTensor() => Time(() =>
        {
            float s = 0;
            for (int r = 0; r < Rounds; r++)
            {
                for (int i = 0; i < Rows; i++)
                {
                    s += TensorPrimitives.Dot(query, rows.AsSpan(i * dims, dims));
                }
            }

            return s;
        });
        double TimeUnrolled() => Time(() =>
        {
            float s = 0;
            for (int r = 0; r < Rounds; r++)
            {
                for (int i = 0; i < Rows; i++)
                {
                    s += VectorMath.Dot(ref query[0], ref rows[i * dims], dims);
                }
            }

            return s;
        });
        table.AddRow("kernel", $"dot {dims} floats, ns (ours: unrolled Vector256; baseline: TensorPrimitives)", unrolled.ToString("F1", CultureInfo.InvariantCulture), tensor.ToString("F1", CultureInfo.InvariantCulture), (unrolled / tensor).ToString("F2", CultureInfo.InvariantCulture), "", "");
        table.AddEmptyRow();
        return new JsonObject { ["dims"] = dims, ["tensorPrimitivesNs"] = tensor, ["unrolledVector256Ns"] = unrolled };
    }
}
