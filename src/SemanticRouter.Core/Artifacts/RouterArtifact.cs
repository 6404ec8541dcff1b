using System.Diagnostics;
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

    /// <summary>
    /// Finishes what a crash while the artefact was being rewritten (AddUtterances) left beside it: the previous
    /// version is put back if the swap was cut between its two renames, and the leftovers are removed. For
    /// start-up, before the artefact is opened, while nothing else writes it.
    /// </summary>
    /// <returns>How many leftovers were restored or removed.</returns>
    public static int RecoverInterruptedWrite(string directory) => IO.AtomicWrite.RecoverDirectory(directory);

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
    /// <remarks>
    /// Every file is read once: its sha256 is computed over the very bytes that are parsed, and a
    /// mismatch refuses the artefact naming the file (reported in preference to any parse error the
    /// corrupt bytes caused). The graph is read on a pool thread while the utterances, the route files
    /// and the rest are read on the calling one, so a large artefact loads in about the time of its
    /// graph. <see cref="LoadTimings"/> says where the time went.
    /// </remarks>
    public static RouterArtifact Load(string directory, string? expectedModelFingerprint = null)
    {
        var clock = Stopwatch.StartNew();
        directory = Path.GetFullPath(directory);
        var manifest = ReadManifest(directory);
        if (expectedModelFingerprint is not null &&
            !string.Equals(expectedModelFingerprint, manifest.Model.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactException(Path.Combine(directory, ArtifactFiles.Manifest),
                $"built with model {manifest.Model.Name} (sha256 {manifest.Model.Fingerprint[..12]}…), but the model given has sha256 {expectedModelFingerprint[..Math.Min(12, expectedModelFingerprint.Length)]}…; rebuild the index or pass the model it was built with");
        }

        foreach (var required in new[] { ArtifactFiles.Graph, ArtifactFiles.Utterances })
        {
            if (!manifest.Files.ContainsKey(required))
            {
                throw new ArtifactException(Path.Combine(directory, ArtifactFiles.Manifest), $"lists no checksum for {required}");
            }
        }

        var manifestTime = clock.Elapsed;
        // The three big parts on three threads (the graph and the route files on the pool, the
        // utterances here), so the load takes about as long as the slowest of them.
        var graph = Task.Run(() => Timed(() => ReadGraph(directory, manifest)));
        var routes = Task.Run(() => Timed(() => ReadRoutes(directory, manifest)));

        UtteranceEntry[] utterances;
        RouteHeadModel? head;
        RankingSettingsFile? settings;
        TimeSpan utterancesTime, extrasTime;
        try
        {
            (utterances, utterancesTime) = Timed(() => ReadUtterances(Path.Combine(directory, ArtifactFiles.Utterances), manifest.Files[ArtifactFiles.Utterances]));
            ((head, settings), extrasTime) = Timed(() =>
            {
                foreach (string name in manifest.Files.Keys.Where(n => n is not ArtifactFiles.Graph and not ArtifactFiles.Utterances && !IsRouteFile(n)))
                {
                    VerifyChecksum(Path.Combine(directory, name), manifest.Files[name]);
                }

                return (ReadHead(directory, manifest), ReadRankingSettings(directory, manifest));
            });
        }
        catch
        {
            // No read of the directory outlives the call; a corrupt graph is reported first, as when
            // the files were checked one after another (graph, then the rest).
            Task.WaitAny(routes);
            Task.WaitAny(graph);
            if (graph.Exception?.InnerException is { } graphError)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(graphError).Throw();
            }

            throw;
        }

        Task.WaitAny(graph);
        if (graph.Exception?.InnerException is { } corruptGraph)
        {
            Task.WaitAny(routes);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(corruptGraph).Throw();
        }

        var ((catalog, routesSource), routesTime) = routes.GetAwaiter().GetResult();
        var (index, graphTime) = graph.GetAwaiter().GetResult();
        if (index.Count != utterances.Length)
        {
            throw new ArtifactException(Path.Combine(directory, ArtifactFiles.Graph), $"holds {index.Count} vectors for {utterances.Length} utterances");
        }

        return new RouterArtifact(directory, manifest, catalog, utterances, index, head, settings)
        {
            LoadTimings = new ArtifactLoadTimings(manifestTime, graphTime, utterancesTime, routesTime, extrasTime, clock.Elapsed) { RoutesSource = routesSource },
        };
    }

    /// <summary>Where the time of the load that made this artefact went.</summary>
    public ArtifactLoadTimings LoadTimings { get; private init; } = new(default, default, default, default, default, default);

    private static (T Value, TimeSpan Elapsed) Timed<T>(Func<T> body)
    {
        long start = Stopwatch.GetTimestamp();
        T value = body();
        return (value, Stopwatch.GetElapsedTime(start));
    }

    private static bool IsRouteFile(string name) => name.StartsWith(ArtifactFiles.RoutesFolder + "/", StringComparison.Ordinal);

    /// <summary>index.hnsw, hashed (sha256) while it is parsed: one pass over the file.</summary>
    private static HnswIndex ReadGraph(string directory, ArtifactManifest manifest)
    {
        string path = Path.Combine(directory, ArtifactFiles.Graph);
        var expected = manifest.Files[ArtifactFiles.Graph];
        HnswIndex? index = null;
        InvalidDataException? parseError = null;
        string sha256;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            if (file.Length != expected.Bytes)
            {
                throw new ArtifactException(path, $"corrupt: {file.Length} bytes, manifest says {expected.Bytes}");
            }

            using var hashing = new Sha256ReadStream(file);
            try
            {
                index = HnswIndex.ReadFrom(hashing);
            }
            catch (InvalidDataException e)
            {
                parseError = e;
            }

            sha256 = hashing.FinishHash(); // hashes whatever the parser left unread
        }
        catch (FileNotFoundException)
        {
            throw new ArtifactException(path, "missing (listed in manifest.json)");
        }

        if (!string.Equals(sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactException(path, "corrupt: sha256 does not match manifest.json");
        }

        if (parseError is not null || index is null)
        {
            throw new ArtifactException(path, parseError?.Message ?? "unreadable", parseError);
        }

        if (index.Dimensions != manifest.Model.Dimensions)
        {
            throw new ArtifactException(path, $"vectors have {index.Dimensions} dimensions, the manifest says {manifest.Model.Dimensions}");
        }

        return index;
    }

    /// <summary>
    /// The route files the catalogue is made of (every *.yaml of routes/), each read once, verified
    /// when the manifest lists it, then validated as a whole, or, for a large set whose parsed form
    /// the cache holds for exactly these bytes, taken from there (<see cref="RouteCatalogCache"/>).
    /// </summary>
    private static (RouteCatalog Catalog, RouteCatalogSource Source) ReadRoutes(string directory, ArtifactManifest manifest)
    {
        string routes = Path.Combine(directory, ArtifactFiles.RoutesFolder);
        foreach (string name in manifest.Files.Keys.Where(IsRouteFile))
        {
            if (!File.Exists(Path.Combine(directory, name)))
            {
                throw new ArtifactException(Path.Combine(directory, name), "missing (listed in manifest.json)");
            }
        }

        var files = new List<(string Path, byte[] Content)>();
        try
        {
            foreach (string path in RouteCatalog.EnumerateFiles(routes))
            {
                byte[] bytes = File.ReadAllBytes(path);
                if (manifest.Files.TryGetValue($"{ArtifactFiles.RoutesFolder}/{Path.GetFileName(path)}", out var expected))
                {
                    VerifyBytes(path, bytes, expected);
                }

                files.Add((path, bytes));
            }

            var catalog = RouteCatalogCache.Load(files, Path.Combine(routes, "models.yaml"), out var source);
            return (catalog, source);
        }
        catch (RouteValidationException e)
        {
            throw new ArtifactException(routes, $"route files in the artefact are invalid: {e.Errors[0]}", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ArtifactException(routes, "missing: the artefact has no routes folder", e);
        }
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

    private static void VerifyBytes(string path, byte[] bytes, ArtifactFileInfo expected)
    {
        if (bytes.LongLength != expected.Bytes)
        {
            throw new ArtifactException(path, $"corrupt: {bytes.LongLength} bytes, manifest says {expected.Bytes}");
        }

        if (!string.Equals(FileChecksum.Of(bytes), expected.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactException(path, "corrupt: sha256 does not match manifest.json");
        }
    }

    /// <summary>
    /// utterances.jsonl, read once, verified, then parsed line by line straight from its UTF-8 bytes
    /// (one <c>{"id": n, "route": ..., "text": ...}</c> object per line, ids 0, 1, 2, … in order).
    /// </summary>
    private static UtteranceEntry[] ReadUtterances(string path, ArtifactFileInfo expected)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new ArtifactException(path, "missing (listed in manifest.json)");
        }

        VerifyBytes(path, bytes, expected);
        var list = new List<UtteranceEntry>(Math.Max(16, bytes.Length / 64));
        var routeNames = new Dictionary<string, string>(StringComparer.Ordinal); // one string per route, not per utterance
        ReadOnlySpan<byte> rest = bytes;
        int lineNumber = 0;
        while (!rest.IsEmpty)
        {
            lineNumber++;
            int end = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.IsEmpty || (line.Length == 1 && line[0] == (byte)'\r'))
            {
                continue;
            }

            int? id = null;
            string? route = null, text = null;
            try
            {
                var reader = new Utf8JsonReader(line);
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new ArtifactException(path, $"line {lineNumber}: not a JSON object");
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("id"u8))
                    {
                        reader.Read();
                        id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : -1;
                    }
                    else if (reader.ValueTextEquals("route"u8))
                    {
                        reader.Read();
                        route = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else if (reader.ValueTextEquals("text"u8))
                    {
                        reader.Read();
                        text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                {
                    throw new ArtifactException(path, $"line {lineNumber}: not one JSON object");
                }
            }
            catch (JsonException e)
            {
                throw new ArtifactException(path, $"line {lineNumber}: {e.Message}", e);
            }

            if (id != list.Count || route is null || text is null)
            {
                throw new ArtifactException(path, $"line {lineNumber}: expected {{\"id\": {list.Count}, \"route\": ..., \"text\": ...}}");
            }

            if (!routeNames.TryGetValue(route, out string? shared))
            {
                routeNames[route] = shared = route;
            }

            list.Add(new UtteranceEntry(list.Count, shared, text));
        }

        return [.. list];
    }
}
