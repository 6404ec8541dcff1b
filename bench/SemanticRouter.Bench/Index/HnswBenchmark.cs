using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemanticRouter.Index;
using Spectre.Console;

namespace SemanticRouter.Bench.Index;

/// <summary>
/// <c>hnsw</c>: our <see cref="HnswIndex"/> against C++ hnswlib on the same vectors and parameters,
/// in one run: baseline first, then ours, then a table of ratios and a JSON file in bench/results/.
/// </summary>
internal static class HnswBenchmark
{
    /// <summary>Each query set is run this often per ef and the fastest run kept (on both sides): the machine is shared.</summary>
    private const int SearchRepetitions = 3;

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
            AnsiConsole.Profile.Width = 160;
        }

        string root = RepoRoot();
        string script = Path.Combine(root, "bench", "python", "hnswlib_bench.py");
        string work = Directory.CreateTempSubdirectory("sr-hnsw-bench-").FullName;
        var report = new JsonObject
        {
            ["benchmark"] = "hnsw",
            ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["cores"] = Environment.ProcessorCount,
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["dotnet"] = Environment.Version.ToString(),
            ["args"] = string.Join(' ', args),
            ["params"] = new JsonObject { ["M"] = options.M, ["efConstruction"] = options.EfConstruction, ["k"] = options.K, ["threads"] = options.Threads },
        };
        var table = new Table().AddColumns("Data", "Measure", "Ours", "hnswlib", "Ratio", "Goal", "Met");
        var datasets = new JsonArray();
        try
        {
            report["dotKernel"] = DotKernels.Measure(options.Dims, table);

            if (options.VectorsFile is null)
            {
                AnsiConsole.MarkupLine("[yellow](a) real embeddings skipped: pass --vectors FILE (raw float32 rows of --dims floats).[/]");
            }
            else
            {
                float[] all = BenchVectors.ReadRaw(options.VectorsFile, options.Dims, out int renormalised);
                int rows = all.Length / options.Dims;
                int queries = Math.Min(options.Queries, rows / 10);
                AnsiConsole.MarkupLine($"(a) {rows} vectors from {Markup.Escape(options.VectorsFile)} ({renormalised} renormalised); the last {queries} rows are the queries.");
                int n = rows - queries;
                datasets.Add(RunDataset($"real {Path.GetFileName(options.VectorsFile)}", all[..(n * options.Dims)], all[(n * options.Dims)..], options, script, work, table));
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
                    datasets.Add(RunDataset($"synthetic {n / 1000}k", all[..(int)cut], all[(int)cut..], options, script, work, table));
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        report["datasets"] = datasets;
        AnsiConsole.Write(table);
        string resultsDir = Path.Combine(root, "bench", "results");
        Directory.CreateDirectory(resultsDir);
        string file = Path.Combine(resultsDir, $"hnsw-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(file, report.ToJsonString(Indented));
        AnsiConsole.MarkupLine($"JSON: {Markup.Escape(file)}");
        return 0;
    }

    private static JsonObject RunDataset(string name, float[] baseRows, float[] queryRows, HnswBenchOptions o, string script, string work, Table table)
    {
        int dims = o.Dims;
        int n = baseRows.Length / dims;
        int q = queryRows.Length / dims;
        AnsiConsole.MarkupLine($"[bold]{name}[/]: {n:N0} vectors, {q} queries; exact top-{o.K}...");
        var sw = Stopwatch.StartNew();
        int[] truth = BenchVectors.ExactTopK(baseRows, queryRows, dims, o.K);
        double exactSeconds = sw.Elapsed.TotalSeconds;

        string basePath = Path.Combine(work, "base.f32"), queryPath = Path.Combine(work, "queries.f32"), truthPath = Path.Combine(work, "truth.i32");
        BenchVectors.WriteRaw<float>(basePath, baseRows);
        BenchVectors.WriteRaw<float>(queryPath, queryRows);
        BenchVectors.WriteRaw<int>(truthPath, truth);

        AnsiConsole.MarkupLine("  hnswlib (baseline, measured first)...");
        JsonObject theirs = HnswlibBaseline.Run(o, script, basePath, queryPath, truthPath, dims);
        File.Delete(basePath);
        AnsiConsole.MarkupLine($"    {Markup.Escape(Summary(theirs))}");

        AnsiConsole.MarkupLine("  ours...");
        JsonObject ours = MeasureOurs(baseRows, queryRows, truth, o);
        AnsiConsole.MarkupLine($"    {Markup.Escape(Summary(ours))}");

        AddRows(name, ours, theirs, table);
        return new JsonObject
        {
            ["name"] = name,
            ["n"] = n,
            ["queries"] = q,
            ["dims"] = dims,
            ["exactParallelQps"] = q / exactSeconds,
            ["ours"] = ours,
            ["hnswlib"] = theirs,
        };
    }

    private static JsonObject MeasureOurs(float[] baseRows, float[] queryRows, int[] truth, HnswBenchOptions o)
    {
        int dims = o.Dims;
        int n = baseRows.Length / dims;
        int q = queryRows.Length / dims;
        int[] ids = Enumerable.Range(0, n).ToArray();
        var hnswOptions = new HnswOptions { M = o.M, EfConstruction = o.EfConstruction };

        using Process self = Process.GetCurrentProcess();

        // Warm-up: run build and search once on a few rows so that JIT tiering is not timed.
        int warm = Math.Min(500, n);
        var warmIndex = new HnswIndex(dims, hnswOptions, warm);
        warmIndex.AddRange(ids.AsSpan(0, warm), baseRows.AsSpan(0, warm * dims), 1);
        for (int i = 0; i < Math.Min(200, q); i++)
        {
            warmIndex.Search(queryRows.AsSpan(i * dims, dims), new VectorHit[o.K], 40);
        }

        int n1 = Math.Min(o.Build1, n);
        var one = new HnswIndex(dims, hnswOptions, n1);
        TimeSpan cpu0 = CpuTime(self);
        var sw = Stopwatch.StartNew();
        one.AddRange(ids.AsSpan(0, n1), baseRows.AsSpan(0, n1 * dims), 1);
        double build1 = sw.Elapsed.TotalSeconds;
        double build1Cpu = (CpuTime(self) - cpu0).TotalSeconds;
        one = null;
        GC.Collect();

        long before = GC.GetTotalMemory(true);
        var index = new HnswIndex(dims, hnswOptions, n);
        sw.Restart();
        index.AddRange(ids, baseRows, o.Threads);
        double buildAll = sw.Elapsed.TotalSeconds;
        long after = GC.GetTotalMemory(true);

        var search = new JsonArray();
        var hits = new VectorHit[o.K];
        foreach (int ef in o.Efs)
        {
            for (int i = 0; i < Math.Min(50, q); i++)
            {
                index.Search(queryRows.AsSpan(i * dims, dims), hits, ef);
            }

            int found = 0;
            var results = new int[q * o.K];
            double seconds = double.PositiveInfinity, cpuSeconds = double.PositiveInfinity;
            for (int rep = 0; rep < SearchRepetitions; rep++)
            {
                TimeSpan cpu = CpuTime(self);
                sw.Restart();
                for (int i = 0; i < q; i++)
                {
                    int c = index.Search(queryRows.AsSpan(i * dims, dims), hits, ef);
                    for (int j = 0; j < c; j++)
                    {
                        results[(i * o.K) + j] = hits[j].Id;
                    }
                }

                seconds = Math.Min(seconds, sw.Elapsed.TotalSeconds);
                cpuSeconds = Math.Min(cpuSeconds, (CpuTime(self) - cpu).TotalSeconds);
            }

            for (int i = 0; i < q; i++)
            {
                var expected = new HashSet<int>(truth.AsSpan(i * o.K, o.K).ToArray());
                found += results.AsSpan(i * o.K, o.K).ToArray().Count(expected.Contains);
            }

            search.Add(new JsonObject { ["ef"] = ef, ["recall"] = (double)found / (q * o.K), ["qps"] = q / seconds, ["cpuQps"] = q / cpuSeconds });
        }

        var load = new MemoryStream();
        index.WriteTo(load);
        load.Position = 0;
        double loadSeconds = double.PositiveInfinity, loadCpuSeconds = double.PositiveInfinity;
        for (int rep = 0; rep < SearchRepetitions; rep++)
        {
            load.Position = 0;
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime;
            sw.Restart();
            _ = HnswIndex.ReadFrom(load);
            loadSeconds = Math.Min(loadSeconds, sw.Elapsed.TotalSeconds);
            self.Refresh();
            loadCpuSeconds = Math.Min(loadCpuSeconds, (self.TotalProcessorTime - cpu).TotalSeconds);
        }

        return new JsonObject
        {
            ["build1"] = new JsonObject { ["n"] = n1, ["seconds"] = build1, ["rate"] = n1 / build1, ["cpuSeconds"] = build1Cpu, ["cpuRate"] = n1 / build1Cpu },
            ["buildAll"] = new JsonObject { ["n"] = n, ["threads"] = o.Threads, ["seconds"] = buildAll, ["rate"] = n / buildAll },
            ["memory"] = new JsonObject
            {
                ["indexBytes"] = index.MemoryBytes,
                ["rawVectorsPlusGraphBytes"] = index.RawVectorsPlusGraphBytes,
                ["gcGrowthBytes"] = after - before,
                ["fileBytes"] = load.Length,
            },
            ["loadSeconds"] = loadSeconds,
            ["loadCpuSeconds"] = loadCpuSeconds,
            ["maxLevel"] = index.MaxLevel,
            ["search"] = search,
        };
    }

    private static void AddRows(string name, JsonObject ours, JsonObject theirs, Table table)
    {
        double R(JsonObject o, string a, string b) => Num(o[a]![b]!);
        void Row(string measure, double a, double b, string format, string goal, bool? met) =>
            table.AddRow(
                Markup.Escape(name),
                Markup.Escape(measure),
                a.ToString(format, CultureInfo.InvariantCulture),
                double.IsNaN(b) ? "" : b.ToString(format, CultureInfo.InvariantCulture),
                double.IsNaN(b) ? "" : (a / b).ToString("F2", CultureInfo.InvariantCulture),
                Markup.Escape(goal),
                met is null ? "" : met.Value ? "[green]yes[/]" : "[red]no[/]");

        Row($"build inserts/s, 1 thread ({ours["build1"]!["n"]} rows)", R(ours, "build1", "rate"), R(theirs, "build1", "rate"), "N0", "ratio ≥ 0.70", R(ours, "build1", "rate") >= 0.7 * R(theirs, "build1", "rate"));
        Row("  same, inserts per CPU-second (less sensitive to other load)", R(ours, "build1", "cpuRate"), R(theirs, "build1", "cpuRate"), "N0", "ratio ≥ 0.70", R(ours, "build1", "cpuRate") >= 0.7 * R(theirs, "build1", "cpuRate"));
        Row($"build inserts/s, {ours["buildAll"]!["threads"]} threads", R(ours, "buildAll", "rate"), R(theirs, "buildAll", "rate"), "N0", "ratio ≥ 0.70", R(ours, "buildAll", "rate") >= 0.7 * R(theirs, "buildAll", "rate"));

        JsonArray oursSearch = ours["search"]!.AsArray(), theirSearch = theirs["search"]!.AsArray();
        double oursAt99 = double.NaN, theirsAt99 = double.NaN, oursCpuAt99 = double.NaN, theirsCpuAt99 = double.NaN;
        int oursEf99 = 0, theirsEf99 = 0;
        for (int i = 0; i < oursSearch.Count; i++)
        {
            JsonNode a = oursSearch[i]!, b = theirSearch[i]!;
            int ef = a["ef"]!.GetValue<int>();
            double ra = Num(a["recall"]!), rb = Num(b["recall"]!);
            double qa = Num(a["qps"]!), qb = Num(b["qps"]!);
            Row($"ef {ef}: recall@10", ra, rb, "F4", "", null);
            Row($"ef {ef}: queries/s, 1 thread", qa, qb, "N0", "", null);
            if (ra >= 0.99 && double.IsNaN(oursAt99))
            {
                (oursAt99, oursEf99, oursCpuAt99) = (qa, ef, Num(a["cpuQps"]!));
            }

            if (rb >= 0.99 && double.IsNaN(theirsAt99))
            {
                (theirsAt99, theirsEf99, theirsCpuAt99) = (qb, ef, Num(b["cpuQps"]!));
            }
        }

        Row($"queries/s at recall@10 ≥ 0.99 (ours ef {oursEf99}, hnswlib ef {theirsEf99})", oursAt99, theirsAt99, "N0", "ratio ≥ 0.80", oursAt99 >= 0.8 * theirsAt99);
        Row("  same, queries per CPU-second", oursCpuAt99, theirsCpuAt99, "N0", "ratio ≥ 0.80", oursCpuAt99 >= 0.8 * theirsCpuAt99);
        double mine = R(ours, "memory", "indexBytes"), raw = R(ours, "memory", "rawVectorsPlusGraphBytes");
        Row("memory MB (hnswlib: its layout)", mine / 1e6, R(theirs, "memory", "layoutBytes") / 1e6, "N1", "", null);
        Row("memory MB vs raw vectors + graph", mine / 1e6, raw / 1e6, "N1", "ratio ≤ 1.30", mine <= 1.3 * raw);
        Row("load from stream, ms (wall)", Num(ours["loadSeconds"]!) * 1000, double.NaN, "N0", "< 1000", Num(ours["loadSeconds"]!) < 1);
        Row("load from stream, ms (process CPU)", Num(ours["loadCpuSeconds"]!) * 1000, double.NaN, "N0", "", null);
        table.AddEmptyRow();
    }

    private static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static double Num(JsonNode node) => double.Parse(node.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Summary(JsonObject side) =>
        string.Create(CultureInfo.InvariantCulture, $"build {Num(side["build1"]!["rate"]!):N0}/s (1 thread), {Num(side["buildAll"]!["rate"]!):N0}/s (all); ")
        + string.Join(", ", side["search"]!.AsArray().Select(p => string.Create(CultureInfo.InvariantCulture, $"ef {p!["ef"]}: {Num(p["recall"]!):F4} @ {Num(p["qps"]!):N0} q/s")));

    private static string RepoRoot()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SemanticRouter.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the repository (SemanticRouter.sln not found).");
    }
}
