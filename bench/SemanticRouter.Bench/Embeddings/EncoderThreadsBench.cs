using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemanticRouter.Bench.Measurement;
using SemanticRouter.Embeddings;
using SemanticRouter.Tests;
using Spectre.Console;

namespace SemanticRouter.Bench;

/// <summary>
/// <c>encoder-threads</c>: how many ONNX Runtime intra-op threads and which spinning policy the
/// encoder should use, measured rather than guessed. For each setting (one session each) it times
/// one short query and a batch of 32, with the machine as it is and with 1 and 2 extra busy
/// processes (a stand-in for a loaded server or noisy neighbours), in interleaved rounds whose
/// order rotates, and prints median (range) latency and CPU milliseconds per call. The defaults of
/// <see cref="SentenceEncoderOptions"/> are read off this table (docs/encoder.md#threads-and-spinning).
/// </summary>
internal static class EncoderThreadsBench
{
    private sealed record Setting(string Name, int Threads, IntraOpSpinning Spinning, int DynamicBlockBase = 0);

    public static int Run(string[] args)
    {
        int rounds = Math.Max(3, BenchArgs.Int(args, "--rounds", 5));
        double seconds = BenchArgs.Int(args, "--ms", 400) / 1000.0;
        int[] loads = args.Contains("--no-load") ? [0] : [0, 1, 2];
        string[] queries = EncoderBench.LoadQueries(Path.Combine(SharedPaths.Root, "datasets", "clinc150", "data_full.json"), 200);
        int cores = Environment.ProcessorCount;
        var settings = new List<Setting> { new("1 thread", 1, IntraOpSpinning.Never) };
        for (int t = 2; t <= cores; t *= 2)
        {
            settings.Add(new($"{t} threads, spin never", t, IntraOpSpinning.Never));
            settings.Add(new($"{t} threads, spin during run", t, IntraOpSpinning.DuringRun));
            settings.Add(new($"{t} threads, spin always", t, IntraOpSpinning.Always));
            if (args.Contains("--dynamic-blocks"))
            {
                settings.Add(new($"{t} threads, spin never, dynamic blocks 4", t, IntraOpSpinning.Never, 4));
                settings.Add(new($"{t} threads, spin during run, dynamic blocks 4", t, IntraOpSpinning.DuringRun, 4));
            }
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 160;
        }

        AnsiConsole.MarkupLine(Markup.Escape(BenchMachine.Banner()));
        AnsiConsole.MarkupLine($"encoder-threads: {settings.Count} settings × {{1 query, batch of 32}} × extra busy processes {{{string.Join(", ", loads)}}}, {rounds} rounds of {seconds:0.0} s each");
        var encoders = settings.Select(s =>
        {
            var options = new SentenceEncoderOptions { IntraOpThreads = s.Threads, Spinning = s.Spinning };
            if (s.DynamicBlockBase > 0)
            {
                options.ExtraSessionConfig["session.dynamic_block_base"] = s.DynamicBlockBase.ToString(CultureInfo.InvariantCulture);
            }

            return SentenceEncoder.Open(SharedPaths.MiniLmModel, options);
        }).ToList();
        JsonObject report = BenchMachine.Describe("encoder-threads", args);
        var results = new JsonArray();
        var table = new Table().AddColumns("extra busy processes", "setting", "1 query: ms (range)", "CPU ms / query", "batch 32: ms (range)", "CPU ms / batch", "others' cores");
        try
        {
            foreach (var e in encoders)
            {
                for (int i = 0; i < 20; i++)
                {
                    e.Embed(queries[i]);
                }

                e.Embed(queries[..32], new float[32 * e.Dimensions]);
            }

            foreach (int load in loads)
            {
                using var burners = new Burners(load);
                var single = settings.Select(_ => new List<(double Ms, double CpuMs, double Others)>()).ToList();
                var batch = settings.Select(_ => new List<(double Ms, double CpuMs, double Others)>()).ToList();
                int next = 0;
                for (int r = 0; r < rounds; r++)
                {
                    for (int j = 0; j < settings.Count; j++)
                    {
                        int s = (j + r) % settings.Count; // rotate who goes first
                        single[s].Add(Measure(() => encoders[s].Embed(queries[next++ % queries.Length]), seconds));
                        float[] destination = new float[32 * encoders[s].Dimensions];
                        batch[s].Add(Measure(() => encoders[s].Embed(queries.AsSpan((next++ % 6) * 32, 32).ToArray(), destination), seconds));
                    }
                }

                for (int s = 0; s < settings.Count; s++)
                {
                    var a = single[s];
                    var b = batch[s];
                    table.AddRow(
                        load.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(settings[s].Name),
                        Spread.Of(a.Select(x => x.Ms)).Format("F2"),
                        Spread.Of(a.Select(x => x.CpuMs)).Format("F2"),
                        Spread.Of(b.Select(x => x.Ms)).Format("F1"),
                        Spread.Of(b.Select(x => x.CpuMs)).Format("F1"),
                        Spread.Of(a.Concat(b).Select(x => x.Others)).Format("F2"));
                    results.Add(new JsonObject
                    {
                        ["extraBusyProcesses"] = load,
                        ["setting"] = settings[s].Name,
                        ["threads"] = settings[s].Threads,
                        ["spinning"] = settings[s].Spinning.ToString(),
                        ["singleMs"] = Spread.Of(a.Select(x => x.Ms)).ToJson(),
                        ["singleCpuMs"] = Spread.Of(a.Select(x => x.CpuMs)).ToJson(),
                        ["batch32Ms"] = Spread.Of(b.Select(x => x.Ms)).ToJson(),
                        ["batch32CpuMs"] = Spread.Of(b.Select(x => x.CpuMs)).ToJson(),
                        ["otherCores"] = Spread.Of(a.Concat(b).Select(x => x.Others)).ToJson(),
                    });
                }

                table.AddEmptyRow();
            }
        }
        finally
        {
            encoders.ForEach(e => e.Dispose());
        }

        AnsiConsole.Write(table);
        report["results"] = results;
        string dir = Path.Combine(SharedPaths.RepositoryRoot, "bench", "results");
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, $"encoder-threads-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AnsiConsole.MarkupLine($"JSON: {Markup.Escape(file)}");
        return 0;
    }

    /// <summary>Back-to-back calls for <paramref name="seconds"/>: median ms per call, CPU ms per call of this process, cores others took.</summary>
    private static (double Ms, double CpuMs, double Others) Measure(Action call, double seconds)
    {
        call(); // the first call after switching sessions wakes that session's threads
        var latencies = new List<double>();
        var before = MachineLoad.Sample();
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        long start = Stopwatch.GetTimestamp();
        do
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            latencies.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds);
        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        double cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;
        var after = MachineLoad.Sample();
        double others = Math.Max(0, MachineLoad.BusyCores(before, after) - (cpu / wall));
        return (Spread.Of(latencies).Median, cpu * 1000 / latencies.Count, others);
    }

    /// <summary>Busy-looping child processes: the neighbours of a loaded server. Killed (by their own id) on disposal.</summary>
    internal sealed class Burners : IDisposable
    {
        private readonly List<Process> _processes = [];

        public Burners(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
                start.ArgumentList.Add("-c");
                start.ArgumentList.Add("while :; do :; done");
                _processes.Add(Process.Start(start)!);
            }

            Thread.Sleep(count > 0 ? 200 : 0);
        }

        public void Dispose()
        {
            foreach (var p in _processes)
            {
                p.Kill();
                p.WaitForExit();
                p.Dispose();
            }
        }
    }
}
