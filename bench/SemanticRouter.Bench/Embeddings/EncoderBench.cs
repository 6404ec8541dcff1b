using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using SemanticRouter.Bench.Measurement;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench;

/// <summary>
/// Encoder overhead: our end-to-end latency (tokenise + tensors + Run + pool + normalise) against
/// the bare <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// of the same, already prepared tensors on the same session. The two take turns call by call, the
/// side that goes first alternating from round to round; each round gives a median per side and a
/// ratio, and the table shows the median (range) over rounds, wall and CPU time per call, and the
/// cores the machine's other processes took meanwhile. Then the int8 model's speed-up, measured the
/// same way, and its cosine to the fp32 golden embeddings.
/// </summary>
internal static class EncoderBench
{
    private const double Goal = 1.10;

    /// <summary>Others' load above this many cores marks the run as not quiet (its ratios are not the published kind).</summary>
    private const double QuietOtherCores = 0.25;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        int? threads = args.Contains("--threads") ? BenchArgs.Int(args, "--threads", 1) : null;
        int rounds = Math.Max(3, BenchArgs.Int(args, "--rounds", 10));
        string[] queries = LoadQueries(Path.Combine(SharedPaths.Root, "datasets", "clinc150", "data_full.json"), 200);
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160;
        }

        var options = new SentenceEncoderOptions { IntraOpThreads = threads, BatchSize = 32 };
        using var fp32 = SentenceEncoder.Open(SharedPaths.MiniLmModel, options);
        using var int8 = SentenceEncoder.Open(SharedPaths.MiniLmInt8Model, options);
        AnsiConsole.MarkupLine(Markup.Escape(BenchMachine.Banner()));
        AnsiConsole.MarkupLine(Markup.Escape($"encoder bench: {queries.Length} CLINC150 test queries, ONNX Runtime {OrtEnv.Instance().GetVersionString()}, intra-op threads {fp32.IntraOpThreads}, spinning {fp32.Spinning}, {rounds} rounds"));

        var single = MeasureOverhead(fp32, queries, batch: 1, rounds);
        var batch32 = MeasureOverhead(fp32, queries, batch: 32, rounds);
        var speed = MeasureInt8(fp32, int8, queries, rounds);
        var (min, p1, mean) = Int8Cosine(int8);

        var table = new Table().AddColumns("measure", "ours: median (range of rounds)", "baseline: median (range)", "ratio: median (range)", "CPU ms per call, ours / baseline", "others' cores", "goal");
        void Row(string name, Comparison c, string goal) => table.AddRow(
            Markup.Escape(name),
            c.Ours.Format("F3"),
            c.Baseline.Format("F3"),
            c.Ratio.Format("F3"),
            $"{c.OursCpu.Format("F3")} / {c.BaselineCpu.Format("F3")}",
            c.OtherCores.Format("F2"),
            goal);
        Row("1 short query, ms (baseline: bare Run)", single, $"ratio ≤ {Goal:0.00}");
        Row("batch of 32, ms (baseline: bare Run)", batch32, "");
        Row("1 short query, ms: int8 (baseline: fp32, both ours)", speed, "");
        table.AddRow("int8 cosine to fp32 golden (997)", $"min {min:0.0000}", $"p1 {p1:0.0000}", $"mean {mean:0.0000}", "", "", "");
        AnsiConsole.Write(table);
        bool quiet = single.OtherCores.Median <= QuietOtherCores;
        bool met = single.Ratio.Median <= Goal;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"single-query overhead ratio {single.Ratio.Median:0.000} (rounds {single.Ratio.Min:0.000}–{single.Ratio.Max:0.000}; goal ≤ {Goal:0.00}): {(met ? "met" : "NOT met")}{(quiet ? "" : $" — but the machine was not quiet (others took {single.OtherCores.Median:0.00} cores): not a quiet-machine figure")}"));

        JsonObject report = BenchMachine.Describe("encoder", args);
        report["onnxruntime"] = OrtEnv.Instance().GetVersionString();
        report["intraOpThreads"] = fp32.IntraOpThreads;
        report["spinning"] = fp32.Spinning.ToString();
        report["queries"] = queries.Length;
        report["single"] = single.ToJson();
        report["batch32"] = batch32.ToJson();
        report["int8VsFp32"] = speed.ToJson();
        report["int8Cosine"] = new JsonObject { ["min"] = min, ["p1"] = p1, ["mean"] = mean };
        report["goal"] = Goal;
        report["met"] = met;
        report["quiet"] = quiet;
        string results = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
        Directory.CreateDirectory(results);
        string file = Path.Combine(results, $"encoder-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, report.ToJsonString(Indented));
        Console.WriteLine($"wrote {file}");
        return 0;
    }

    /// <summary>Per-round medians of both sides (ms), their ratio, CPU ms per call, and others' load, each as median (range) over rounds.</summary>
    internal sealed record Comparison(Spread Ours, Spread Baseline, Spread Ratio, Spread OursCpu, Spread BaselineCpu, Spread OtherCores)
    {
        public static Comparison Of(List<Round> rounds) => new(
            Spread.Of(rounds.Select(r => r.Ours)),
            Spread.Of(rounds.Select(r => r.Baseline)),
            Spread.Of(rounds.Select(r => r.Ours / r.Baseline)),
            Spread.Of(rounds.Select(r => r.OursCpu)),
            Spread.Of(rounds.Select(r => r.BaselineCpu)),
            Spread.Of(rounds.Select(r => r.OtherCores)));

        public JsonObject ToJson() => new()
        {
            ["oursMs"] = Ours.ToJson(),
            ["baselineMs"] = Baseline.ToJson(),
            ["ratio"] = Ratio.ToJson(),
            ["oursCpuMs"] = OursCpu.ToJson(),
            ["baselineCpuMs"] = BaselineCpu.ToJson(),
            ["otherCores"] = OtherCores.ToJson(),
        };
    }

    /// <summary>One round: median wall ms per call of each side, mean CPU ms per call, and others' cores meanwhile.</summary>
    internal sealed record Round(double Ours, double Baseline, double OursCpu, double BaselineCpu, double OtherCores);

    /// <summary>
    /// Runs <paramref name="rounds"/> rounds of calls; in each, <paramref name="ours"/> and <paramref name="baseline"/>
    /// take turns on every item, the first of each pair alternating by round.
    /// </summary>
    internal static List<Round> Interleave<T>(IReadOnlyList<T> items, int rounds, Action<T> ours, Action<T> baseline)
    {
        // Warm-up: JIT, ONNX Runtime's first-run allocations, caches.
        for (int w = 0; w < 2; w++)
        {
            foreach (var item in items)
            {
                baseline(item);
                ours(item);
            }
        }

        var result = new List<Round>();
        for (int r = 0; r < rounds; r++)
        {
            var a = new List<double>(items.Count);
            var b = new List<double>(items.Count);
            double aCpu = 0, bCpu = 0;
            var before = MachineLoad.Sample();
            long roundStart = Stopwatch.GetTimestamp();
            TimeSpan roundCpu = Environment.CpuUsage.TotalTime;
            foreach (var item in items)
            {
                bool baselineFirst = (r & 1) == 0;
                for (int k = 0; k < 2; k++)
                {
                    bool doBaseline = (k == 0) == baselineFirst;
                    TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
                    long t0 = Stopwatch.GetTimestamp();
                    if (doBaseline)
                    {
                        baseline(item);
                    }
                    else
                    {
                        ours(item);
                    }

                    double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    double cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalMilliseconds;
                    (doBaseline ? b : a).Add(ms);
                    if (doBaseline)
                    {
                        bCpu += cpu;
                    }
                    else
                    {
                        aCpu += cpu;
                    }
                }
            }

            double wall = Stopwatch.GetElapsedTime(roundStart).TotalSeconds;
            double own = (Environment.CpuUsage.TotalTime - roundCpu).TotalSeconds;
            double others = Math.Max(0, MachineLoad.BusyCores(before, MachineLoad.Sample()) - (own / wall));
            result.Add(new Round(Spread.Of(a).Median, Spread.Of(b).Median, aCpu / a.Count, bCpu / b.Count, others));
        }

        return result;
    }

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
                    ids[(r * seq) + t] = rows[r][t];
                    mask[(r * seq) + t] = 1;
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

    private static Comparison MeasureOverhead(SentenceEncoder encoder, string[] queries, int batch, int rounds)
    {
        var batches = queries.Chunk(batch).Where(c => c.Length == batch).Select(c => new Prepared(encoder, c)).ToList();
        try
        {
            using var runOptions = new RunOptions();
            string[] inputNames = [.. encoder.InputNames];
            string[] outputNames = [encoder.OutputName];
            float[] destination = new float[batch * encoder.Dimensions];
            return Comparison.Of(Interleave(
                batches,
                rounds,
                p =>
                {
                    if (batch == 1)
                    {
                        _ = encoder.Embed(p.Texts[0]);
                    }
                    else
                    {
                        encoder.Embed(p.Texts, destination);
                    }
                },
                p => encoder.Session.Run(runOptions, inputNames, p.Inputs, outputNames, [p.Output])));
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    private static Comparison MeasureInt8(SentenceEncoder fp32, SentenceEncoder int8, string[] queries, int rounds) =>
        Comparison.Of(Interleave(queries, rounds, q => int8.Embed(q), q => fp32.Embed(q)));

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

    internal static string[] LoadQueries(string path, int count)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var test = doc.RootElement.GetProperty("test").EnumerateArray().Select(e => e[0].GetString()!).ToList();
        int step = Math.Max(1, test.Count / count);
        return test.Where((_, i) => i % step == 0).Take(count).ToArray();
    }
}
