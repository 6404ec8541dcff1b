using System.Text.Json;
using SemanticRouter.Routes;
using SemanticRouter.Routes.Import;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Routes.Import;

public sealed class DatasetImporterTests : IDisposable
{
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    private static List<(string Text, string? Route)> ReadJsonl(string path) =>
        File.ReadLines(path).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var route = doc.RootElement.GetProperty("route");
            return (doc.RootElement.GetProperty("text").GetString()!, route.ValueKind == JsonValueKind.Null ? null : route.GetString());
        }).ToList();

    [Fact]
    public void ImportClinc150_RealData_AllCountsMatch()
    {
        var output = Path.Combine(dir.Path, "clinc");

        var summary = DatasetImporter.ImportClinc150(Path.Combine(SharedPaths.Datasets, "clinc150"), output);

        Assert.Equal(150, summary.Routes);
        Assert.Equal(15_000, summary.Utterances);
        Assert.Equal(0, summary.SkippedDuplicates + summary.SkippedConflicts + summary.SkippedEmpty);
        Assert.Empty(summary.RenamedLabels);
        var catalog = RouteCatalog.Load(Path.Combine(output, "routes"));
        Assert.Equal(150, catalog.Routes.Count);
        Assert.All(catalog.Routes, r => Assert.Equal(100, r.Utterances.Count));
        Assert.Equal(DatasetImporter.DefaultTargets, catalog["translate"].Targets);
        Assert.Equal(DatasetImporter.ExampleModelCatalog(), File.ReadAllBytes(Path.Combine(output, "routes", "models.yaml")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(TestDirectory.ExampleRoutes, "models.yaml")), DatasetImporter.ExampleModelCatalog());

        var test = ReadJsonl(Path.Combine(output, "test.jsonl"));
        Assert.Equal(5_500, test.Count);
        Assert.Equal(1_000, test.Count(r => r.Route is null));
        Assert.All(test.Where(r => r.Route is not null), r => Assert.True(catalog.ContainsRoute(r.Route!)));
        var validation = ReadJsonl(Path.Combine(output, "validation.jsonl"));
        Assert.Equal(3_100, validation.Count);
        Assert.Equal(100, validation.Count(r => r.Route is null));
        var oos = ReadJsonl(Path.Combine(output, "oos_train.jsonl"));
        Assert.Equal(100, oos.Count);
        Assert.All(oos, r => Assert.Null(r.Route));
        Assert.Equal(["oos_train.jsonl", "test.jsonl", "validation.jsonl"], summary.Splits.Select(s => s.File).Order());
        // Nothing left over from the temporary directory.
        Assert.Equal(["clinc"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ImportClinc150_AcceptsTheFileItself()
    {
        var summary = DatasetImporter.ImportClinc150(Path.Combine(SharedPaths.Datasets, "clinc150", "data_full.json"), Path.Combine(dir.Path, "c"));
        Assert.Equal(150, summary.Routes);
    }

    [Fact]
    public void ImportBanking77_RealData_SkipsDuplicatesAndRenamesBadLabels()
    {
        var output = Path.Combine(dir.Path, "banking");

        var summary = DatasetImporter.ImportBanking77(Path.Combine(SharedPaths.Datasets, "banking77"), output);

        Assert.Equal(77, summary.Routes);
        // 10,003 training rows; 4 are the same text as another row of the same intent once white space is tidied.
        Assert.Equal(4, summary.SkippedDuplicates);
        Assert.Equal(0, summary.SkippedConflicts);
        Assert.Equal(9_999, summary.Utterances);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Refund_not_showing_up"] = "refund_not_showing_up",
            ["reverted_card_payment?"] = "reverted_card_payment",
        }, summary.RenamedLabels);
        var catalog = RouteCatalog.Load(Path.Combine(output, "routes"));
        Assert.Equal(77, catalog.Routes.Count);
        Assert.DoesNotContain(catalog.Routes.SelectMany(r => r.Utterances), u => u.Contains('\n', StringComparison.Ordinal));
        var test = ReadJsonl(Path.Combine(output, "test.jsonl"));
        Assert.Equal(3_080, test.Count);
        Assert.All(test, r => Assert.True(catalog.ContainsRoute(r.Route!)));
    }

    [Fact]
    public void ImportJsonl_TrainTestAndNullRoutes()
    {
        var source = Path.Combine(dir.Path, "src");
        dir.Write("src/train.jsonl", """
            {"text": "book a table for two", "route": "restaurant"}
            {"text": "Book a  table for two", "route": "restaurant"}

            {"text": "what's the weather", "route": "Weather"}
            {"text": "tell me a secret", "route": null}
            """);
        dir.Write("src/test.jsonl", """
            {"text": "reserve dinner", "route": "restaurant"}
            {"text": "is it raining", "route": "Weather"}
            {"text": "sing", "route": null}
            """);

        var summary = DatasetImporter.ImportJsonl(source, Path.Combine(dir.Path, "out"));

        Assert.Equal(2, summary.Routes);
        Assert.Equal(2, summary.Utterances);
        Assert.Equal(1, summary.SkippedDuplicates);
        var test = ReadJsonl(Path.Combine(dir.Path, "out", "test.jsonl"));
        Assert.Equal([("reserve dinner", "restaurant"), ("is it raining", "weather"), ("sing", null)], test);
        Assert.Equal([("tell me a secret", (string?)null)], ReadJsonl(Path.Combine(dir.Path, "out", "oos_train.jsonl")));
    }

    [Fact]
    public void ImportJsonl_BadLine_NamesFileAndLine()
    {
        dir.Write("src/train.jsonl", "{\"text\": \"a\", \"route\": \"r\"}\n{\"text\": 3}\n");

        var e = Assert.Throws<DatasetImportException>(() => DatasetImporter.ImportJsonl(Path.Combine(dir.Path, "src"), Path.Combine(dir.Path, "out")));

        Assert.StartsWith("train.jsonl:2:", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
    }

    [Fact]
    public void Import_NonEmptyOutput_RefusedUnlessForce()
    {
        dir.Write("src/train.jsonl", "{\"text\": \"a\", \"route\": \"r\"}\n");
        var keep = dir.Write("out/keep.txt", "mine");
        var source = Path.Combine(dir.Path, "src");
        var output = Path.Combine(dir.Path, "out");

        var e = Assert.Throws<DatasetImportException>(() => DatasetImporter.ImportJsonl(source, output));
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(keep));

        DatasetImporter.ImportJsonl(source, output, new DatasetImportOptions { Force = true });
        Assert.False(File.Exists(keep));
        Assert.True(File.Exists(Path.Combine(output, "routes", "jsonl-01.yaml")));

        // An existing but empty directory is fine without --force.
        var empty = Path.Combine(dir.Path, "empty");
        Directory.CreateDirectory(empty);
        DatasetImporter.ImportJsonl(source, empty);
    }

    [Fact]
    public void Import_RoutesPerFile_ChunksSortedRoutes()
    {
        dir.Write("src/train.jsonl", string.Join("\n", Enumerable.Range(0, 5).Select(i => $"{{\"text\": \"t{i}\", \"route\": \"r{i}\"}}")));

        DatasetImporter.ImportJsonl(Path.Combine(dir.Path, "src"), Path.Combine(dir.Path, "out"), new DatasetImportOptions { RoutesPerFile = 2 });

        Assert.Equal(["jsonl-01.yaml", "jsonl-02.yaml", "jsonl-03.yaml", "models.yaml"],
            Directory.EnumerateFiles(Path.Combine(dir.Path, "out", "routes")).Select(Path.GetFileName).Order());
    }
}
