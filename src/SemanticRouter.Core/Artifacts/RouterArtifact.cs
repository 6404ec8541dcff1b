using System.Text.Json;
using SemanticRouter.Index;
using SemanticRouter.Neighbors;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using SemanticRouter.Settings;

namespace SemanticRouter.Artifacts;

/// <summary>
/// A loaded index artefact: the HNSW graph over every utterance's vector, the utterance table and
/// the route catalogue it was built from. Loading verifies every checksum before parsing, so a
/// corrupt artefact is refused with the bad file named and never half-used.
/// </summary>
public sealed class RouterArtifact
{
    private RouterArtifact(string directory, ArtifactManifest manifest, RouteCatalog catalog, UtteranceEntry[] utterances, HnswIndex index, RouteHeadModel? head, RankingSettingsFile? rankingSettings)
    {
        Head = head;
        RankingSettings = rankingSettings;
        Directory = directory;
        Manifest = manifest;
        Catalog = catalog;
        Utterances = utterances;
        Index = index;
    }

    public string Directory { get; }

    public ArtifactManifest Manifest { get; }

    /// <summary>The routes and model catalogue the artefact was built from (its own copy).</summary>
    public RouteCatalog Catalog { get; }

    /// <summary>Every indexed utterance; <c>Utterances[id].Id == id</c>.</summary>
    public IReadOnlyList<UtteranceEntry> Utterances { get; }

    public HnswIndex Index { get; }

    /// <summary>The fitted route head, when the artefact was built with `fit` parameters.</summary>
    public RouteHeadModel? Head { get; }

    /// <summary>The ranker settings the artefact was built with (`build --ranking-options`), when it was given any.</summary>
    public RankingSettingsFile? RankingSettings { get; }

    /// <summary>True when <paramref name="directory"/> holds a manifest (says nothing of its validity).</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, ArtifactFiles.Manifest));

    /// <summary>Reads and validates only the manifest.</summary>
    public static ArtifactManifest ReadManifest(string directory)
    {
        string path = Path.Combine(directory, ArtifactFiles.Manifest);
        if (!File.Exists(path))
        {
            throw new ArtifactException(path, System.IO.Directory.Exists(directory)
                ? "missing: not an index artefact (build one with `semantic-router build`)"
                : "missing: the artefact directory does not exist (build one with `semantic-router build`)");
        }

        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllBytes(path), ArtifactJsonContext.Default.ArtifactManifest);
        }
        catch (JsonException e)
        {
            throw new ArtifactException(path, $"not a valid manifest: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new ArtifactException(path, "empty manifest");
        }

        if (manifest.FormatVersion != ArtifactManifest.CurrentFormatVersion)
        {
            throw new ArtifactException(path, $"format version {manifest.FormatVersion} is not supported by this build (expects {ArtifactManifest.CurrentFormatVersion}); rebuild the index");
        }

        return manifest;
    }

    /// <summary>
    /// Loads and verifies an artefact. With <paramref name="expectedModelFingerprint"/>, also refuses
    /// one built with another model (its vectors would be meaningless to that model's queries).
    /// </summary>
    public static RouterArtifact Load(string directory, string? expectedModelFingerprint = null)
    {
        directory = Path.GetFullPath(directory);
        var manifest = ReadManifest(directory);
        if (expectedModelFingerprint is not null &&
            !string.Equals(expectedModelFingerprint, manifest.Model.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactException(Path.Combine(directory, ArtifactFiles.Manifest),
                $"built with model {manifest.Model.Name} (sha256 {manifest.Model.Fingerprint[..12]}…), but the model given has sha256 {expectedModelFingerprint[..Math.Min(12, expectedModelFingerprint.Length)]}…; rebuild the index or pass the model it was built with");
        }

        VerifyChecksums(directory, manifest);

        var utterances = ReadUtterances(Path.Combine(directory, ArtifactFiles.Utterances));
        HnswIndex index;
        string graphPath = Path.Combine(directory, ArtifactFiles.Graph);
        try
        {
            using var stream = new FileStream(graphPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            index = HnswIndex.ReadFrom(stream);
        }
        catch (InvalidDataException e)
        {
            throw new ArtifactException(graphPath, e.Message, e);
        }

        if (index.Dimensions != manifest.Model.Dimensions)
        {
            throw new ArtifactException(graphPath, $"vectors have {index.Dimensions} dimensions, the manifest says {manifest.Model.Dimensions}");
        }

        if (index.Count != utterances.Length)
        {
            throw new ArtifactException(graphPath, $"holds {index.Count} vectors for {utterances.Length} utterances");
        }

        RouteCatalog catalog;
        string routes = Path.Combine(directory, ArtifactFiles.RoutesFolder);
        try
        {
            catalog = RouteCatalog.Load(routes);
        }
        catch (RouteValidationException e)
        {
            throw new ArtifactException(routes, $"route files in the artefact are invalid: {e.Errors[0]}", e);
        }

        return new RouterArtifact(directory, manifest, catalog, utterances, index, ReadHead(directory, manifest), ReadRankingSettings(directory, manifest));
    }

    private static RankingSettingsFile? ReadRankingSettings(string directory, ArtifactManifest manifest)
    {
        if (!manifest.Files.ContainsKey(ArtifactFiles.RankingSettings))
        {
            return null;
        }

        string path = Path.Combine(directory, ArtifactFiles.RankingSettings);
        try
        {
            return RankingSettingsFile.FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new ArtifactException(path, $"ranking settings unreadable: {e.Message}", e);
        }
    }

    private static RouteHeadModel? ReadHead(string directory, ArtifactManifest manifest)
    {
        if (!manifest.Files.ContainsKey(ArtifactFiles.RouteHead))
        {
            return null;
        }

        string headPath = Path.Combine(directory, ArtifactFiles.RouteHead);
        string paramsPath = Path.Combine(directory, ArtifactFiles.Parameters);
        try
        {
            using var stream = File.OpenRead(headPath);
            var classifier = RouteClassifier.ReadFrom(stream);
            string json = File.ReadAllText(paramsPath);
            return new RouteHeadModel(classifier, RouteHeadParameters.FromJson(json), json);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or EndOfStreamException)
        {
            throw new ArtifactException(headPath, $"route head or {ArtifactFiles.Parameters} unreadable: {e.Message}", e);
        }
    }

    private static void VerifyChecksums(string directory, ArtifactManifest manifest)
    {
        foreach (var required in new[] { ArtifactFiles.Graph, ArtifactFiles.Utterances })
        {
            if (!manifest.Files.ContainsKey(required))
            {
                throw new ArtifactException(Path.Combine(directory, ArtifactFiles.Manifest), $"lists no checksum for {required}");
            }
        }

        foreach (var (name, expected) in manifest.Files)
        {
            VerifyChecksum(Path.Combine(directory, name), expected);
        }
    }

    private static void VerifyChecksum(string path, ArtifactFileInfo expected)
    {
        if (!File.Exists(path))
        {
            throw new ArtifactException(path, "missing (listed in manifest.json)");
        }

        var actual = FileChecksum.Of(path);
        if (actual.Bytes != expected.Bytes)
        {
            throw new ArtifactException(path, $"corrupt: {actual.Bytes} bytes, manifest says {expected.Bytes}");
        }

        if (!string.Equals(actual.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactException(path, "corrupt: sha256 does not match manifest.json");
        }
    }

    private static UtteranceEntry[] ReadUtterances(string path)
    {
        var list = new List<UtteranceEntry>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            UtteranceRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(line, ArtifactJsonContext.Default.UtteranceRecord);
            }
            catch (JsonException e)
            {
                throw new ArtifactException(path, $"line {lineNumber}: {e.Message}", e);
            }

            if (record is null || record.Id != list.Count || record.Route is null || record.Text is null)
            {
                throw new ArtifactException(path, $"line {lineNumber}: expected {{\"id\": {list.Count}, \"route\": ..., \"text\": ...}}");
            }

            list.Add(new UtteranceEntry(record.Id, record.Route, record.Text));
        }

        return [.. list];
    }
}
