namespace SemanticRouter.Server.Tests.Infrastructure;

/// <summary>
/// A deterministic in-memory router behind the contract. Routes "code" (coder, large) and "chat" (small,
/// large); a query mentioning code/python/function matches "code", anything else "chat". Tests replace any
/// step through the <c>On…</c> callbacks (no mocking library); the server under test sees only the contract.
/// </summary>
internal sealed class FakeRouter : ISemanticRouter, ISemanticRouterAdmin
{
    public static readonly string[] Models = ["coder", "large", "small"];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RoutingRequest> _requests = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<OutcomeReport> _outcomes = new();
    private readonly Lock _writeGate = new();
    private FakeIndex _index;
    private int _nextRequest;
    private int _nextVersion = 1;
    private int _addCalls;

    public FakeRouter()
    {
        _index = new FakeIndex("v1", new()
        {
            ["code"] = ["write a python function", "fix this code", "how do I sort a list in C#"],
            ["chat"] = ["hello there", "tell me a joke", "what's the weather like"],
        });
    }

    public Func<RoutingRequest, CancellationToken, Task<RoutingDecision>>? OnRank { get; set; }

    public Func<string?, CancellationToken, Task<IndexReloaded>>? OnReload { get; set; }

    public IReadOnlyCollection<OutcomeReport> Outcomes => _outcomes;

    /// <summary>AddUtterances calls that reached the router.</summary>
    public int AddCalls => Volatile.Read(ref _addCalls);

    /// <summary>The path of the last ReloadIndex that reached the router.</summary>
    public string? LastReloadPath { get; private set; }

    public FakeIndex Index => Volatile.Read(ref _index);

    public Task<RoutingDecision> RankAsync(RoutingRequest request, CancellationToken cancellationToken = default) =>
        OnRank is { } onRank ? onRank(request, cancellationToken) : Task.FromResult(Rank(request));

    public RoutingDecision Rank(RoutingRequest request)
    {
        CheckModels(request.Candidates, "candidates");
        CheckModels(request.Excluded, "excluded");
        var index = Index;
        var route = Classify(request.Query);
        var routeModels = route == "code" ? new[] { ("coder", 0.9), ("large", 0.7), ("small", 0.2) } : [("small", 0.8), ("large", 0.75), ("coder", 0.1)];
        var lambda = request.CostWeight ?? 0;
        var models = routeModels
            .Where(m => request.Candidates.Count == 0 || request.Candidates.Contains(m.Item1))
            .Where(m => !request.Excluded.Contains(m.Item1))
            .Select(m => new ModelScore(m.Item1, m.Item2 - (lambda * Cost(m.Item1)), m.Item2, Cost(m.Item1), [route]))
            .OrderByDescending(m => m.Score)
            .ToList();
        var id = $"req-{Interlocked.Increment(ref _nextRequest)}";
        _requests[id] = request;
        var abstained = request.Query.Contains("weather on mars", StringComparison.OrdinalIgnoreCase);
        return new RoutingDecision(id, models, new RouteVerdict(route, abstained ? 0.2 : 0.9, abstained, abstained ? "chat" : null, 0.5),
            request.IncludeNeighbors ? index.Search(request.Query, request.K ?? 10) : [], index.Version)
        {
            Timings = new RoutingTimings(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(0.1)),
        };
    }

    public Task<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken = default)
    {
        CheckModels([report.Model], "model");
        if (report.RequestId is { } id && !_requests.ContainsKey(id))
        {
            throw new RouterException(RouterErrorCode.NotFound, $"request_id '{id}' is unknown or has expired; send the query instead.");
        }

        _outcomes.Enqueue(report);
        return Task.FromResult(new OutcomeReceipt(report.RequestId ?? $"req-{Interlocked.Increment(ref _nextRequest)}"));
    }

    public Task<NeighborReport> InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken = default)
    {
        var index = Index;
        var neighbors = index.Search(request.Query, request.K ?? 10)
            .Select(n => n with { Models = [new ModelTally("coder", 3, 4, 0.7), new ModelTally("small", 1, 4, 0.3)] })
            .ToList();
        return Task.FromResult(new NeighborReport(neighbors, new RouteVerdict(Classify(request.Query), 0.9, false, null, 0.5), index.Version));
    }

    public Task<RouteListing> ListRoutesAsync(CancellationToken cancellationToken = default)
    {
        var index = Index;
        var routes = index.Routes
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RouteSummary(r.Key, $"{r.Key} prompts", r.Key == "code" ? ["coder", "large"] : ["small", "large"], r.Value.Count, 0.5))
            .ToList();
        return Task.FromResult(new RouteListing(routes, index.Version));
    }

    public Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _addCalls);
        lock (_writeGate)
        {
            var current = Index;
            if (!current.Routes.TryGetValue(route, out var existing))
            {
                throw new RouterException(RouterErrorCode.NotFound, $"route '{route}' does not exist.");
            }

            foreach (var u in utterances)
            {
                if (existing.Contains(u))
                {
                    throw new RouterException(RouterErrorCode.AlreadyExists, $"route '{route}' already has the utterance \"{u}\".");
                }
            }

            var routes = current.Routes.ToDictionary(r => r.Key, r => r.Key == route ? [.. r.Value, .. utterances] : r.Value);
            var next = new FakeIndex($"v{Interlocked.Increment(ref _nextVersion)}", routes);
            Volatile.Write(ref _index, next);
            return Task.FromResult(new UtterancesAdded(utterances.Count, next.Version));
        }
    }

    public Task<IndexReloaded> ReloadIndexAsync(string? path, CancellationToken cancellationToken = default)
    {
        LastReloadPath = path;
        if (OnReload is { } onReload)
        {
            return onReload(path, cancellationToken);
        }

        if (path is not null && path.Contains("corrupt", StringComparison.Ordinal))
        {
            throw new RouterException(RouterErrorCode.FailedPrecondition, $"index artefact '{path}' is corrupt: vectors.bin checksum mismatch.");
        }

        if (path is not null && path.Contains("missing", StringComparison.Ordinal))
        {
            throw new RouterException(RouterErrorCode.NotFound, $"index artefact '{path}' does not exist.");
        }

        lock (_writeGate)
        {
            var previous = Index;
            var next = new FakeIndex($"v{Interlocked.Increment(ref _nextVersion)}", previous.Routes);
            Volatile.Write(ref _index, next);
            // A path naming "other-settings" stands for an index that carries other ranking settings.
            return Task.FromResult(new IndexReloaded(next.Version, previous.Version, next.Routes.Sum(r => r.Value.Count), next.Routes.Count,
                path?.Contains("other-settings", StringComparison.Ordinal) == true));
        }
    }

    private static void CheckModels(IEnumerable<string> names, string field)
    {
        foreach (var name in names)
        {
            if (!Models.Contains(name))
            {
                throw new RouterException(RouterErrorCode.InvalidArgument, $"{field} names an unknown model '{name}'; known models: {string.Join(", ", Models)}.");
            }
        }
    }

    private static double Cost(string model) => model switch { "large" => 1.0, "coder" => 0.4, _ => 0.1 };

    private static string Classify(string query) =>
        query.Contains("code", StringComparison.OrdinalIgnoreCase) || query.Contains("python", StringComparison.OrdinalIgnoreCase) || query.Contains("function", StringComparison.OrdinalIgnoreCase)
            ? "code" : "chat";
}

/// <summary>An immutable fake index: a reload or an edit publishes a new one.</summary>
internal sealed class FakeIndex(string version, Dictionary<string, List<string>> routes)
{
    public string Version { get; } = version;

    public Dictionary<string, List<string>> Routes { get; } = routes;

    public List<NeighborVote> Search(string query, int k)
    {
        var words = query.ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Routes
            .SelectMany(r => r.Value.Select(u => (Route: r.Key, Utterance: u)))
            .Select(x => (x.Route, x.Utterance, Sim: (double)words.Count(w => x.Utterance.ToUpperInvariant().Contains(w, StringComparison.Ordinal)) / Math.Max(1, words.Length)))
            .OrderByDescending(x => x.Sim).ThenBy(x => x.Utterance, StringComparer.Ordinal)
            .Take(k)
            .Select(x => new NeighborVote(x.Utterance, x.Route, x.Sim, 1.0 / k))
            .ToList();
    }
}
