using System.Diagnostics;
using System.Globalization;
using SemanticRouter.Evaluation;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Tests;

namespace SemanticRouter.Bench.Ranking;

/// <summary>
/// Memory of the text outcome model against outcomes × models (issue 27), measured, not computed: each size is
/// fitted in a child process of its own (this benchmark run again with <c>text-model fit-child</c>), which loads the
/// outcomes, collects, reads its resident memory, resets the kernel's peak-RSS mark (<c>/proc/self/clear_refs</c> ← 5),
/// fits as the engine's background refit does (half the cores), and reads the peak (<c>VmHWM</c>) and, after a full
/// collection with the model still alive, the resident memory again. The baseline is the same child's RSS before the
/// fit (runtime + outcomes). Beside each row: the buckets the data uses (what a fit's working set is sized by since
/// 9ae8a46) and, for comparison, the L-BFGS history one model's fit held over the whole 2^19 hash space before then
/// (2 × 10 vectors of 2^19 doubles, computed).
/// Linux only (/proc).
/// </summary>
internal static class TextModelMemoryBench
{
    private const string ChildCommand = "fit-child";

    /// <summary><c>text-model memory [--models 2,4,8,14] [--prompts 1750,7000,14037] [--text-repeat 1] [--refits 1]</c>: the table.</summary>
    public static int Run(string[] args)
    {
        var models = List(args, "--models", [2, 4, 8, 14]);
        var prompts = List(args, "--prompts", [1750, 7000, 14037]);
        int repeat = BenchArgs.Int(args, "--text-repeat", 1);
        int refits = BenchArgs.Int(args, "--refits", 1);
        var threads = Math.Max(1, Environment.ProcessorCount / 2);
        var options = new TextOutcomeModelOptions { Threads = threads };
        double hashSpaceHistoryMb = 2.0 * 10 * (1 << options.BucketBits) * sizeof(double) / (1 << 20);
        Console.WriteLine($"text outcome model memory: each fit in a child process on {threads} thread(s) (the engine's background setting), RouteLLM MMLU prompts{(repeat > 1 ? $", each written {repeat} times over (longer texts)" : "")}; MiB = 2^20 bytes");
        if (Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory") is { } conserve)
        {
            Console.WriteLine($"DOTNET_GCConserveMemory={conserve}");
        }

        Console.WriteLine($"baseline: the child's RSS before the fit (runtime + outcomes); 'hash-space history' = what one model's L-BFGS history held over all 2^{options.BucketBits} buckets before fits were sized by the data ({hashSpaceHistoryMb:0} MiB, computed)");
        Console.WriteLine($"| outcomes | models | distinct texts (UTF-16) | active buckets | RSS before | peak RSS during the fit | peak ÷ before | fit time | RSS after | live managed heap after | weights kept | (peak − before) ÷ hash-space history | peak RSS in refits 2..{refits} (warm) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in prompts)
        {
            foreach (var m in models)
            {
                var row = RunChild(p, m, repeat, refits);
                double keptMb = (double)m * (1 << options.BucketBits) * sizeof(float) / (1 << 20);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Outcomes:N0} | {m} | {row.TextMb:0.0} MiB | {row.ActiveBuckets:N0} | {row.BeforeMb:0} MiB | {row.PeakMb:0} MiB | {row.PeakMb / row.BeforeMb:0.0} | {row.Seconds:0.0} s | {row.AfterMb:0} MiB | {row.LiveMb:0} MiB | {keptMb:0} MiB | {(row.PeakMb - row.BeforeMb) / hashSpaceHistoryMb:0.00} | {(refits > 1 ? $"{row.RefitPeakMb:0} MiB" : "–")} |"));
            }
        }

        return 0;
    }

    /// <summary><c>text-model fit-child --prompts P --models M</c>: one fit, measured; prints one tab-separated line.</summary>
    public static int RunChild(string[] args)
    {
        int prompts = BenchArgs.Int(args, "--prompts", 1750);
        int models = BenchArgs.Int(args, "--models", 2);
        int repeat = BenchArgs.Int(args, "--text-repeat", 1);
        int refits = BenchArgs.Int(args, "--refits", 1);
        var data = OutcomeDataset.Load(Path.Combine(SharedPaths.Datasets, "routellm", "mmlu"));
        var texts = data.Prompts.Take(prompts).Select(t => string.Join(' ', Enumerable.Repeat(t, repeat))).ToArray();
        // Real outcomes for the first two models; each further one is a copy of one of them with every
        // (m + 3)-th outcome flipped, so models differ but the labels keep the data's structure.
        var outcomes = new List<TextOutcome>(texts.Length * models);
        for (int i = 0; i < texts.Length; i++)
        {
            for (int m = 0; m < models; m++)
            {
                double y = m % 2 == 0 ? data.Weak[i] : data.Strong[i];
                if (m >= 2 && i % (m + 3) == 0)
                {
                    y = 1 - y;
                }

                outcomes.Add(new TextOutcome(texts[i], $"model-{m}", y));
            }
        }

        data = null;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        double before = StatusMb("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        var clock = Stopwatch.StartNew();
        var model = TextOutcomeModel.Fit(outcomes, new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) });
        double seconds = clock.Elapsed.TotalSeconds;
        double peak = StatusMb("VmHWM");
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        double after = StatusMb("VmRSS");
        var heap = GC.GetGCMemoryInfo(GCKind.Any);
        double liveMb = heap.HeapSizeBytes / (double)(1 << 20);
        double committedMb = heap.TotalCommittedBytes / (double)(1 << 20);

        // The engine refits in the background from the serving model's weights: does each refit add to the last?
        double refitPeak = 0;
        for (int r = 2; r <= refits; r++)
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            model = TextOutcomeModel.Fit(outcomes, new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) }, warmStart: model);
            refitPeak = Math.Max(refitPeak, StatusMb("VmHWM"));
        }

        GC.KeepAlive(model);
        double textMb = texts.Sum(t => (long)t.Length) * sizeof(char) / (double)(1 << 20);

        var features = new HashedNgrams();
        var active = new HashSet<int> { HashedNgrams.BiasBucket };
        foreach (var t in texts)
        {
            active.UnionWith(features.Features(t));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outcomes.Count}\t{active.Count}\t{before:0.0}\t{peak:0.0}\t{after:0.0}\t{seconds:0.00}\t{model.Models.Count}\t{liveMb:0.0}\t{committedMb:0.0}\t{textMb:0.0}\t{refitPeak:0.0}"));
        return 0;
    }

    private sealed record Row(int Outcomes, int ActiveBuckets, double BeforeMb, double PeakMb, double AfterMb, double Seconds, double LiveMb, double CommittedMb, double TextMb, double RefitPeakMb);

    private static Row RunChild(int prompts, int models, int repeat, int refits)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(TextModelMemoryBench).Assembly.Location);
        }

        foreach (var a in new[] { "text-model", ChildCommand, "--prompts", prompts.ToString(CultureInfo.InvariantCulture), "--models", models.ToString(CultureInfo.InvariantCulture), "--text-repeat", repeat.ToString(CultureInfo.InvariantCulture), "--refits", refits.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the child process");
        var stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the fit child exited with {child.ExitCode}: {stderr.Result}");
        }

        var f = stdout.Trim().Split('\n')[^1].Split('\t');
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        return new Row(int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), D(2), D(3), D(4), D(5), D(7), D(8), D(9), D(10));
    }

    private static double StatusMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        throw new InvalidOperationException($"no {field} in /proc/self/status");
    }

    private static int[] List(string[] args, string name, int[] fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length
            ? args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : fallback;
    }
}
