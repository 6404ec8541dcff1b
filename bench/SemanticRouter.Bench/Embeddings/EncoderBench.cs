using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench;

/// <summary>
/// Encoder overhead: our end-to-end latency (tokenise + tensors + Run + pool + normalise) against
/// the bare <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// of the same, already prepared tensors on the same session; both measured interleaved in one run
/// (alternating which goes first), median over many calls. Then the int8 model's speed-up and its
/// cosine to the fp32 golden embeddings.
/// </summary>
internal static class EncoderBench
{
    private const double Goal = 1.10;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        int threads = BenchArgs.Int(args, "--threads", 1);
        int rounds = BenchArgs.Int(args, "--rounds", 10);
        string shared = SharedPaths.Root;
        string[] queries = LoadQueries(Path.Combine(shared, "datasets", "clinc150", "data_full.json"), 200);
        Console.Error.WriteLine($"encoder bench: {queries.Length} CLINC150 test queries, intra-op threads {threads}, {rounds} rounds");

        var options = new SentenceEncoderOptions { IntraOpThreads = threads, BatchSize = 32 };
        using var fp32 = SentenceEncoder.Open(SharedPaths.MiniLmModel, options);
        using var int8 = SentenceEncoder.Open(SharedPaths.MiniLmInt8Model, options);

        var single = MeasureOverhead(fp32, queries, batch: 1, rounds);
        var batch32 = MeasureOverhead(fp32, queries, batch: 32, Math.Max(3, rounds / 3));
        var speed = MeasureInt8(fp32, int8, queries, rounds);
        var (min, p1, mean) = Int8Cosine(int8);

        var table = new Table().AddColumns("measure", "ours (µs)", "bare Run (µs)", "ratio", "goal");
        table.AddRow("1 × short query, median", F(single.OursMedian), F(single.BareMedian), R(single.Ratio), $"≤ {Goal:0.00}");
        table.AddRow("1 × short query, mean", F(single.OursMean), F(single.BareMean), R(single.OursMean / single.BareMean), "");
        table.AddRow("batch of 32, median", F(batch32.OursMedian), F(batch32.BareMedian), R(batch32.Ratio), "");
        table.AddRow("int8 vs fp32, 1 × query median (ours)", F(speed.Int8), F(speed.Fp32), $"{speed.Fp32 / speed.Int8:0.00}× faster", "");
        table.AddRow("int8 cosine to fp32 golden (997)", $"min {min:0.0000}", $"p1 {p1:0.0000}", $"mean {mean:0.0000}", "");
        AnsiConsole.Write(table);
        bool met = single.Ratio <= Goal;
        Console.WriteLine($"single-query overhead ratio {single.Ratio:0.000} (goal ≤ {Goal:0.00}): {(met ? "met" : "NOT met")}");

        string results = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
        Directory.CreateDirectory(results);
        string file = Path.Combine(results, $"encoder-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new
        {
            benchmark = "encoder",
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
            threads,
            queries = queries.Length,
            single,
            batch32,
            int8 = new { speed.Fp32, speed.Int8, speedup = speed.Fp32 / speed.Int8, cosineMin = min, cosineP1 = p1, cosineMean = mean },
            goal = Goal,
            met,
        }, Indented));
        Console.WriteLine($"wrote {file}");
        return 0;
    }

    internal sealed record Overhead(int Batch, double OursMedian, double BareMedian, double OursMean, double BareMean, double Ratio, int Samples);

    /// <summary>Prepared inputs of one batch: what a caller with ready tensors would hand to Run.</summary>
    private sealed class Prepared : IDisposable
    {
        public Prepared(SentenceEncoder encoder, string[] texts)
        {
            int[][] rows = texts.Select(encoder.Tokenize).ToArray();
            int seq = rows.Max(r => r.Length);
            int b = rows.Length;
            long[] ids = new long[b * seq], mask = new long[b * seq], types = new long[b * seq];
            for (int r = 0; r < b; r++)
            {
                for (int t = 0; t < rows[r].Length; t++)
                {
                    ids[r * seq + t] = rows[r][t];
                    mask[r * seq + t] = 1;
                }
            }

            long[] shape = [b, seq];
            var byName = new Dictionary<string, OrtValue>
            {
                ["input_ids"] = OrtValue.CreateTensorValueFromMemory(ids, shape),
                ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(mask, shape),
                ["token_type_ids"] = OrtValue.CreateTensorValueFromMemory(types, shape),
            };
            Inputs = encoder.InputNames.Select(n => byName[n]).ToArray();
            _all = [.. byName.Values];
            Output = OrtValue.CreateTensorValueFromMemory(new float[b * seq * encoder.Dimensions], [b, seq, encoder.Dimensions]);
            Texts = texts;
        }

        private readonly OrtValue[] _all;

        public string[] Texts { get; }

        public OrtValue[] Inputs { get; }

        public OrtValue Output { get; }

        public void Dispose()
        {
            foreach (var v in _all)
            {
                v.Dispose();
            }

            Output.Dispose();
        }
    }

    private static Overhead MeasureOverhead(SentenceEncoder encoder, string[] queries, int batch, int rounds)
    {
        var batches = queries.Chunk(batch).Where(c => c.Length == batch).Select(c => new Prepared(encoder, c)).ToList();
        try
        {
            var runOptions = new RunOptions();
            string[] inputNames = [.. encoder.InputNames];
            string[] outputNames = [encoder.OutputName];
            float[] destination = new float[batch * encoder.Dimensions];
            var ours = new List<double>();
            var bare = new List<double>();

            void Bare(Prepared p) => encoder.Session.Run(runOptions, inputNames, p.Inputs, outputNames, [p.Output]);
            void Ours(Prepared p)
            {
                if (batch == 1)
                {
                    _ = encoder.Embed(p.Texts[0]);
                }
                else
                {
                    encoder.Embed(p.Texts, destination);
                }
            }

            // Warm-up: JIT, ONNX Runtime's first-run allocations, caches.
            for (int w = 0; w < 2; w++)
            {
                foreach (var p in batches)
                {
                    Bare(p);
                    Ours(p);
                }
            }

            long ticks;
            for (int r = 0; r < rounds; r++)
            {
                foreach (var p in batches)
                {
                    // Alternate which goes first so neither always runs on a warmer cache.
                    bool bareFirst = (r & 1) == 0;
                    for (int k = 0; k < 2; k++)
                    {
                        bool doBare = (k == 0) == bareFirst;
                        ticks = Stopwatch.GetTimestamp();
                        if (doBare)
                        {
                            Bare(p);
                        }
                        else
                        {
                            Ours(p);
                        }

                        double us = Stopwatch.GetElapsedTime(ticks).TotalMicroseconds;
                        (doBare ? bare : ours).Add(us);
                    }
                }
            }

            runOptions.Dispose();
            double om = Median(ours), bm = Median(bare);
            return new Overhead(batch, om, bm, ours.Average(), bare.Average(), om / bm, ours.Count);
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    private static (double Fp32, double Int8) MeasureInt8(SentenceEncoder fp32, SentenceEncoder int8, string[] queries, int rounds)
    {
        for (int w = 0; w < 2; w++)
        {
            foreach (string q in queries)
            {
                fp32.Embed(q);
                int8.Embed(q);
            }
        }

        var a = new List<double>();
        var b = new List<double>();
        for (int r = 0; r < Math.Max(3, rounds / 3); r++)
        {
            foreach (string q in queries)
            {
                long t = Stopwatch.GetTimestamp();
                fp32.Embed(q);
                a.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                t = Stopwatch.GetTimestamp();
                int8.Embed(q);
                b.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            }
        }

        return (Median(a), Median(b));
    }

    private static (double Min, double P1, double Mean) Int8Cosine(SentenceEncoder int8)
    {
        var golden = File.ReadLines(Path.Combine(SharedPaths.Golden, "embeddings.jsonl")).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            return (Text: doc.RootElement.GetProperty("text").GetString()!, Vector: doc.RootElement.GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        }).ToList();
        float[] all = new float[golden.Count * int8.Dimensions];
        int8.Embed(golden.Select(g => g.Text).ToList(), all);
        var cos = golden.Select((g, i) => (double)TensorPrimitives.CosineSimilarity(all.AsSpan(i * int8.Dimensions, int8.Dimensions), g.Vector)).Order().ToList();
        return (cos[0], cos[(int)(cos.Count * 0.01)], cos.Average());
    }

    private static string[] LoadQueries(string path, int count)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var test = doc.RootElement.GetProperty("test").EnumerateArray().Select(e => e[0].GetString()!).ToList();
        int step = Math.Max(1, test.Count / count);
        return test.Where((_, i) => i % step == 0).Take(count).ToArray();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }


    private static string F(double us) => us.ToString("0", CultureInfo.InvariantCulture);

    private static string R(double ratio) => ratio.ToString("0.000", CultureInfo.InvariantCulture);
}
