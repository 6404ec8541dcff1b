using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemanticRouter.Bench.Measurement;
using SemanticRouter.Index;
using Spectre.Console;

namespace SemanticRouter.Bench.Index;

/// <summary>
/// <c>hnsw</c>: our <see cref="HnswIndex"/> against C++ hnswlib 0.8.0 compiled natively on this
/// machine (<see cref="NativeHnswlib"/>), on the same vectors and parameters. Every measure (one-thread
/// build, all-thread build, single-threaded search at each ef) is taken in <c>--rounds</c> rounds;
/// within a round the two sides take turns, and the side that goes first alternates from round to
/// round. Each figure is reported as median (range) with CPU time beside wall time, the per-round
/// ratio ours / hnswlib likewise, and the machine's load around every turn goes into the JSON.
/// </summary>
internal static class HnswBenchmark
{
    /// <summary>The comparison goal of issue 32: at least parity with native hnswlib.</summary>
    private const double Goal = 1.0;

    /// <summary>A search turn repeats the whole query set until it has lasted this long (both sides alike).</summary>
    private const double MinSearchSeconds = 0.3;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        HnswBenchOptions options;
        try
        {
            options = HnswBenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"hnsw: {e.Message}");
            return 2;
        }

        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 180;
        }

        string root = SemanticRouter.Tests.SharedPaths.RepositoryRoot;
        string script = Path.Combine(root, "bench", "python", "hnswlib_bench.py");
        AnsiConsole.MarkupLine(Markup.Escape(BenchMachine.Banner()));
        NativeHnswlib baseline = options.Python is { } python
            ? NativeHnswlib.FromInterpreter(python)
            : NativeHnswlib.FindOrBuild(options.HnswlibVenv, m => AnsiConsole.MarkupLine(Markup.Escape(m)));
        AnsiConsole.MarkupLine(Markup.Escape($"hnswlib: {baseline.Origin}"));
        AnsiConsole.MarkupLine(Markup.Escape($"  compiled with: {baseline.CompileCommand ?? "unknown"}; {baseline.Compiler}; AVX-512 (zmm) instructions in the module: {baseline.Avx512Instructions?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}"));

        string work = Directory.CreateTempSubdirectory("sr-hnsw-bench-").FullName;
        JsonObject report = BenchMachine.Describe("hnsw", args);
        report["params"] = new JsonObject { ["M"] = options.M, ["efConstruction"] = options.EfConstruction, ["k"] = options.K, ["threads"] = options.Threads, ["rounds"] = options.Rounds };
        report["baselineBuild"] = baseline.Describe();
        var table = new Table().AddColumns("Data", "Measure", "Ours: median (range)", "hnswlib: median (range)", "Ratio ours/hnswlib: median (range of rounds)", "Goal", "Met");
        var datasets = new JsonArray();
        try
        {
            report["dotKernel"] = DotKernels.Measure(options.Dims, table);

            if (options.VectorsFile is null)
            {
                AnsiConsole.MarkupLine("[yellow](a) real embeddings skipped: pass --vectors FILE (raw float32 rows of --dims floats) or --index DIR.[/]");
            }
            else
            {
                float[] all = BenchVectors.ReadRaw(options.VectorsFile, options.Dims, out int renormalised);
                int rows = all.Length / options.Dims;
                int queries = Math.Min(options.Queries, rows / 10);
                AnsiConsole.MarkupLine($"(a) {rows} vectors from {Markup.Escape(options.VectorsFile)} ({renormalised} renormalised); the last {queries} rows are the queries.");
                int n = rows - queries;
                datasets.Add(RunDataset($"real {Path.GetFileName(options.VectorsFile)}", all[..(n * options.Dims)], all[(n * options.Dims)..], options, baseline, script, work, table));
            }

            if (!options.SkipSynthetic)
            {
                var sizes = new List<int> { options.SyntheticCount };
                if (options.Full)
                {
                    sizes.Add(1_000_000);
                }

                foreach (int n in sizes)
                {
                    AnsiConsole.MarkupLine($"(b) generating {n:N0} synthetic clustered unit vectors of {options.Dims} dims (+{options.Queries} queries)...");
                    float[] all = BenchVectors.Clustered(n + options.Queries, options.Dims, seed: 7);
                    long cut = (long)n * options.Dims;
                    datasets.Add(RunDataset($"synthetic {n / 1000}k", all[..(int)cut], all[(int)cut..], options, baseline, script, work, table));
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        report["datasets"] = datasets;
        report["loadavg1AtEnd"] = MachineLoad.Sample().LoadAverage1;
        AnsiConsole.Write(table);
        string resultsDir = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(resultsDir);
        string file = Path.Combine(resultsDir, $"hnsw-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, report.ToJsonString(Indented));
        AnsiConsole.MarkupLine($"JSON: {Markup.Escape(file)}");
        return 0;
    }

    /// <summary>One turn of one side: wall and CPU seconds of the measured work and the machine's load around it.</summary>
    private sealed record Turn(double Seconds, double CpuSeconds, JsonObject Load, JsonObject Extra)
    {
        public JsonObject ToJson()
        {
            var o = new JsonObject { ["seconds"] = Seconds, ["cpuSeconds"] = CpuSeconds, ["load"] = Load.DeepClone() };
            foreach (var (key, value) in Extra)
            {
                o[key] = value?.DeepClone();
            }

            return o;
        }
    }

    private static JsonObject RunDataset(string name, float[] baseRows, float[] queryRows, HnswBenchOptions o, NativeHnswlib native, string script, string work, Table table)
    {
        int dims = o.Dims;
        int n = baseRows.Length / dims;
        int q = queryRows.Length / dims;
        AnsiConsole.MarkupLine($"[bold]{name}[/]: {n:N0} vectors, {q} queries; exact top-{o.K}...");
        int[] truth = BenchVectors.ExactTopK(baseRows, queryRows, dims, o.K);

        string basePath = Path.Combine(work, "base.f32"), queryPath = Path.Combine(work, "queries.f32"), truthPath = Path.Combine(work, "truth.i32");
        BenchVectors.WriteRaw<float>(basePath, baseRows);
        BenchVectors.WriteRaw<float>(queryPath, queryRows);
        BenchVectors.WriteRaw<int>(truthPath, truth);

        using var theirs = HnswlibBaseline.Start(native.Python, o, script, basePath, queryPath, truthPath, dims);
        File.Delete(basePath);
        AnsiConsole.MarkupLine(Markup.Escape($"  hnswlib worker: {theirs.Hello.ToJsonString()}"));
        var ours = new OurSide(baseRows, queryRows, truth, o);

        // Per measure, per side: one Turn per round.
        var turns = new Dictionary<(string Measure, bool Ours), List<Turn>>();
        void Add(string measure, bool isOurs, Turn turn)
        {
            if (!turns.TryGetValue((measure, isOurs), out var list))
            {
                turns[(measure, isOurs)] = list = [];
            }

            list.Add(turn);
        }

        void Both(string measure, bool oursFirst, Func<Turn> mine, Func<JsonObject> baseline)
        {
            foreach (bool isOurs in oursFirst ? new[] { true, false } : [false, true])
            {
                Add(measure, isOurs, isOurs ? mine() : MeasureTheirs(baseline));
            }
        }

        for (int round = 0; round < o.Rounds; round++)
        {
            bool oursFirst = round % 2 == 1;
            AnsiConsole.MarkupLine($"  round {round + 1}/{o.Rounds} ({(oursFirst ? "ours" : "hnswlib")} first in every measure; load average {MachineLoad.Sample().LoadAverage1:0.00})...");
            Both("build1", oursFirst, ours.Build1, theirs.Build1);
            Both("buildAll", oursFirst, ours.BuildAll, theirs.BuildAll);
            foreach (int ef in o.Efs)
            {
                Both($"search ef {ef}", oursFirst, () => ours.Search(ef), () => theirs.Search(ef, MinSearchSeconds));
            }
        }

        JsonObject oursOnce = ours.MemoryAndLoad();
        JsonObject theirsBuild = turns[("buildAll", false)][^1].Extra;
        var measures = new JsonObject();
        foreach (var ((measure, isOurs), list) in turns.OrderBy(t => t.Key.Measure, StringComparer.Ordinal))
        {
            if (measures[measure] is not JsonObject m)
            {
                measures[measure] = m = new JsonObject();
            }

            m[isOurs ? "ours" : "hnswlib"] = new JsonArray([.. list.Select(t => (JsonNode)t.ToJson())]);
        }

        var summary = AddRows(name, n, q, turns, o, oursOnce, theirsBuild, table);
        return new JsonObject
        {
            ["name"] = name,
            ["n"] = n,
            ["queries"] = q,
            ["dims"] = dims,
            ["hnswlib"] = theirs.Hello.DeepClone(),
            ["summary"] = summary,
            ["rounds"] = measures,
            ["oursOnce"] = oursOnce,
        };
    }

    private static Turn MeasureTheirs(Func<JsonObject> command)
    {
        var before = MachineLoad.Sample();
        JsonObject answer = command();
        var after = MachineLoad.Sample();
        double seconds = Num(answer["seconds"]!), cpu = Num(answer["cpuSeconds"]!);
        answer.Remove("seconds");
        answer.Remove("cpuSeconds");
        return new Turn(seconds, cpu, MachineLoad.Describe(before, after, seconds, cpu), answer);
    }

    /// <summary>Our side of every measure, on the same rows; the all-thread index of the latest round is the one searched.</summary>
    private sealed class OurSide
    {
        private readonly float[] _base;
        private readonly float[] _queries;
        private readonly int[] _truth;
        private readonly HnswBenchOptions _o;
        private readonly int[] _ids;
        private readonly HnswOptions _hnsw;
        private HnswIndex? _searched;

        public OurSide(float[] baseRows, float[] queryRows, int[] truth, HnswBenchOptions o)
        {
            _base = baseRows;
            _queries = queryRows;
            _truth = truth;
            _o = o;
            int n = baseRows.Length / o.Dims;
            _ids = Enumerable.Range(0, n).ToArray();
            _hnsw = new HnswOptions { M = o.M, EfConstruction = o.EfConstruction };

            // Warm-up: build and search once on a few rows so that JIT tiering is not timed.
            int warm = Math.Min(2000, n);
            var warmIndex = new HnswIndex(o.Dims, _hnsw, warm);
            warmIndex.AddRange(_ids.AsSpan(0, warm), baseRows.AsSpan(0, warm * o.Dims), 1);
            warmIndex.ScanLimit = 0;
            var hits = new VectorHit[o.K];
            for (int r = 0; r < 3; r++)
            {
                for (int i = 0; i < Math.Min(500, QueryCount); i++)
                {
                    warmIndex.Search(queryRows.AsSpan(i * o.Dims, o.Dims), hits, 40);
                }
            }
        }

        private int QueryCount => _queries.Length / _o.Dims;

        public Turn Build1()
        {
            int n1 = Math.Min(_o.Build1, _ids.Length);
            var index = new HnswIndex(_o.Dims, _hnsw, n1);
            return Timed(() => index.AddRange(_ids.AsSpan(0, n1), _base.AsSpan(0, n1 * _o.Dims), 1), new JsonObject { ["n"] = n1, ["threads"] = 1 });
        }

        public Turn BuildAll()
        {
            _searched = null;
            var index = new HnswIndex(_o.Dims, _hnsw, _ids.Length);
            Turn turn = Timed(() => index.AddRange(_ids, _base, _o.Threads), new JsonObject { ["n"] = _ids.Length, ["threads"] = _o.Threads });
            _searched = index;
            return turn;
        }

        public Turn Search(int ef)
        {
            HnswIndex index = _searched ?? throw new InvalidOperationException("BuildAll first.");
            int dims = _o.Dims, k = _o.K, q = QueryCount;
            var hits = new VectorHit[k];
            for (int i = 0; i < Math.Min(50, q); i++)
            {
                index.Search(_queries.AsSpan(i * dims, dims), hits, ef);
            }

            var results = new int[q * k];
            int done = 0;
            var extra = new JsonObject { ["ef"] = ef };
            Turn turn = Timed(() =>
            {
                long start = Stopwatch.GetTimestamp();
                do
                {
                    for (int i = 0; i < q; i++)
                    {
                        int c = index.Search(_queries.AsSpan(i * dims, dims), hits, ef);
                        for (int j = 0; j < c; j++)
                        {
                            results[(i * k) + j] = hits[j].Id;
                        }
                    }

                    done += q;
                }
                while (Stopwatch.GetElapsedTime(start).TotalSeconds < MinSearchSeconds);
            }, extra);
            extra["queries"] = done;

            int found = 0;
            for (int i = 0; i < q; i++)
            {
                var expected = new HashSet<int>(_truth.AsSpan(i * k, k).ToArray());
                found += results.AsSpan(i * k, k).ToArray().Count(expected.Contains);
            }

            turn.Extra["recall"] = (double)found / (q * k);
            return turn;
        }

        /// <summary>Memory of the last all-thread index, and its load from a stream (3 times: median and range).</summary>
        public JsonObject MemoryAndLoad()
        {
            HnswIndex index = _searched ?? throw new InvalidOperationException("BuildAll first.");
            var stream = new MemoryStream();
            index.WriteTo(stream);
            var wall = new List<double>();
            var cpu = new List<double>();
            for (int rep = 0; rep < 3; rep++)
            {
                stream.Position = 0;
                Turn t = Timed(() => HnswIndex.ReadFrom(stream), new JsonObject());
                wall.Add(t.Seconds);
                cpu.Add(t.CpuSeconds);
            }

            return new JsonObject
            {
                ["indexBytes"] = index.MemoryBytes,
                ["rawVectorsPlusGraphBytes"] = index.RawVectorsPlusGraphBytes,
                ["fileBytes"] = stream.Length,
                ["maxLevel"] = index.MaxLevel,
                ["loadFromStreamSeconds"] = Spread.Of(wall).ToJson(),
                ["loadFromStreamCpuSeconds"] = Spread.Of(cpu).ToJson(),
            };
        }

        private static Turn Timed(Action body, JsonObject extra)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = MachineLoad.Sample();
            TimeSpan cpu0 = Environment.CpuUsage.TotalTime; // getrusage: microseconds, not /proc's 10 ms ticks
            long t0 = Stopwatch.GetTimestamp();
            body();
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            double cpu = (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds;
            var after = MachineLoad.Sample();
            return new Turn(seconds, cpu, MachineLoad.Describe(before, after, seconds, cpu), extra);
        }
    }

    /// <summary>Prints the table rows of one data set and returns its summary (medians, ranges, ratios) for the JSON.</summary>
    private static JsonObject AddRows(string name, int n, int q, Dictionary<(string Measure, bool Ours), List<Turn>> turns, HnswBenchOptions o, JsonObject oursOnce, JsonObject theirsBuild, Table table)
    {
        var summary = new JsonObject();
        void Row(string measure, Spread ours, Spread theirs, Spread ratio, string format, bool compare)
        {
            bool met = ratio.Median >= Goal;
            table.AddRow(
                Markup.Escape(name),
                Markup.Escape(measure),
                ours.Format(format),
                theirs.Format(format),
                ratio.Count == 0 ? "" : ratio.Format("F2"),
                compare ? string.Create(CultureInfo.InvariantCulture, $"≥ {Goal:0.0}") : "",
                compare ? (met ? "[green]yes[/]" : "[red]no[/]") : "");
            summary[measure] = new JsonObject { ["ours"] = ours.ToJson(), ["hnswlib"] = theirs.ToJson(), ["ratio"] = ratio.ToJson(), ["format"] = format };
        }

        // Rates per round: count / seconds (wall) and count / CPU seconds; paired ratio per round.
        void RateRows(string measure, string label, double count)
        {
            List<Turn> a = turns[(measure, true)], b = turns[(measure, false)];
            Row(label, Spread.Of(a.Select(t => count / t.Seconds)), Spread.Of(b.Select(t => count / t.Seconds)),
                Spread.Of(a.Zip(b, (x, y) => y.Seconds / x.Seconds)), "N0", compare: true);
            Row(label + " per CPU-second", Spread.Of(a.Select(t => count / t.CpuSeconds)), Spread.Of(b.Select(t => count / t.CpuSeconds)),
                Spread.Of(a.Zip(b, (x, y) => y.CpuSeconds / x.CpuSeconds)), "N0", compare: true);
            Row($"  others' load during it ({measure}), cores", Spread.Of(a.Select(t => Num(t.Load["otherCores"]!))), Spread.Of(b.Select(t => Num(t.Load["otherCores"]!))), Spread.Of([]), "F2", compare: false);
        }

        int n1 = Math.Min(o.Build1, n);
        RateRows("build1", $"build, inserts/s, 1 thread ({n1:N0} rows)", n1);
        RateRows("buildAll", $"build, inserts/s, {o.Threads} threads ({n:N0} rows)", n);

        foreach (int ef in o.Efs)
        {
            List<Turn> a = turns[($"search ef {ef}", true)], b = turns[($"search ef {ef}", false)];
            Row($"ef {ef}: recall@{o.K}", Spread.Of(a.Select(t => Num(t.Extra["recall"]!))), Spread.Of(b.Select(t => Num(t.Extra["recall"]!))), Spread.Of([]), "F4", compare: false);
            Row($"ef {ef}: queries/s, 1 thread", Spread.Of(a.Select(Qps)), Spread.Of(b.Select(Qps)),
                Spread.Of(a.Zip(b, (x, y) => Qps(x) / Qps(y))), "N0", compare: false);
        }

        // At recall ≥ 0.99: each side, each round, at its own smallest ef reaching it (the all-thread build differs per round).
        var at99Wall = new List<(double Ours, double Theirs)>();
        var at99Cpu = new List<(double Ours, double Theirs)>();
        var efs = new List<string>();
        for (int round = 0; round < o.Rounds; round++)
        {
            Turn? Pick(bool isOurs) => o.Efs.Select(ef => turns[($"search ef {ef}", isOurs)][round]).FirstOrDefault(t => Num(t.Extra["recall"]!) >= 0.99);
            Turn? a = Pick(true), b = Pick(false);
            efs.Add($"{a?.Extra["ef"]?.ToString() ?? "—"}/{b?.Extra["ef"]?.ToString() ?? "—"}");
            if (a is not null && b is not null)
            {
                at99Wall.Add((Qps(a), Qps(b)));
                at99Cpu.Add((CpuQps(a), CpuQps(b)));
            }
        }

        // The same, interpolated: each side's q/s at exactly recall 0.99, linear in recall between the two
        // efs around it, so that a side reaching 0.9967 at the ef where the other reaches 0.9916 is not
        // compared at that ef only.
        var interpolated = new List<(double Ours, double Theirs, double OursCpu, double TheirsCpu)>();
        for (int round = 0; round < o.Rounds; round++)
        {
            (double Wall, double Cpu)? At99(bool isOurs)
            {
                var points = o.Efs.Select(ef => turns[($"search ef {ef}", isOurs)][round]).ToList();
                for (int i = 0; i < points.Count; i++)
                {
                    double r = Num(points[i].Extra["recall"]!);
                    if (r < 0.99)
                    {
                        continue;
                    }

                    if (i == 0)
                    {
                        return (Qps(points[0]), CpuQps(points[0]));
                    }

                    double r0 = Num(points[i - 1].Extra["recall"]!);
                    double f = (0.99 - r0) / (r - r0);
                    return (Qps(points[i - 1]) + (f * (Qps(points[i]) - Qps(points[i - 1]))), CpuQps(points[i - 1]) + (f * (CpuQps(points[i]) - CpuQps(points[i - 1]))));
                }

                return null;
            }

            if (At99(true) is { } a && At99(false) is { } b)
            {
                interpolated.Add((a.Wall, b.Wall, a.Cpu, b.Cpu));
            }
        }

        string efNote = string.Join(", ", efs.Distinct());
        Row($"queries/s at recall@{o.K} ≥ 0.99 (ef ours/hnswlib: {efNote})", Spread.Of(at99Wall.Select(x => x.Ours)), Spread.Of(at99Wall.Select(x => x.Theirs)), Spread.Of(at99Wall.Select(x => x.Ours / x.Theirs)), "N0", compare: true);
        Row("  same, queries per CPU-second", Spread.Of(at99Cpu.Select(x => x.Ours)), Spread.Of(at99Cpu.Select(x => x.Theirs)), Spread.Of(at99Cpu.Select(x => x.Ours / x.Theirs)), "N0", compare: true);
        Row($"queries/s at recall@{o.K} = 0.99, interpolated between efs", Spread.Of(interpolated.Select(x => x.Ours)), Spread.Of(interpolated.Select(x => x.Theirs)), Spread.Of(interpolated.Select(x => x.Ours / x.Theirs)), "N0", compare: true);
        Row("  same (interpolated), queries per CPU-second", Spread.Of(interpolated.Select(x => x.OursCpu)), Spread.Of(interpolated.Select(x => x.TheirsCpu)), Spread.Of(interpolated.Select(x => x.OursCpu / x.TheirsCpu)), "N0", compare: true);

        double mine = Num(oursOnce["indexBytes"]!), raw = Num(oursOnce["rawVectorsPlusGraphBytes"]!), layout = Num(theirsBuild["layoutBytes"]!);
        table.AddRow(Markup.Escape(name), "memory MB (hnswlib: its layout formula)", (mine / 1e6).ToString("N1", CultureInfo.InvariantCulture), (layout / 1e6).ToString("N1", CultureInfo.InvariantCulture), (mine / layout).ToString("F2", CultureInfo.InvariantCulture), "", "");
        table.AddRow(Markup.Escape(name), "memory MB vs our raw vectors + graph", (mine / 1e6).ToString("N1", CultureInfo.InvariantCulture), (raw / 1e6).ToString("N1", CultureInfo.InvariantCulture), (mine / raw).ToString("F2", CultureInfo.InvariantCulture), "ratio ≤ 1.30", mine <= 1.3 * raw ? "[green]yes[/]" : "[red]no[/]");
        var load = oursOnce["loadFromStreamSeconds"]!;
        table.AddRow(Markup.Escape(name), "load from a stream, ms (checksum + full validation; 3 runs)",
            string.Create(CultureInfo.InvariantCulture, $"{Num(load["median"]!) * 1000:0} ({Num(load["min"]!) * 1000:0}–{Num(load["max"]!) * 1000:0})"), "", "", "", "");
        table.AddEmptyRow();
        return summary;
    }

    private static double Qps(Turn t) => Num(t.Extra["queries"]!) / t.Seconds;

    private static double CpuQps(Turn t) => Num(t.Extra["queries"]!) / t.CpuSeconds;

    private static double Num(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);
}
