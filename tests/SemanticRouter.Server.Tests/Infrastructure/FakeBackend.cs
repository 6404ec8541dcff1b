using SemanticRouter.Server.Engine;

namespace SemanticRouter.Server.Tests.Infrastructure;

// The contract (namespace SemanticRouter) has records of the same names; these are the backend's.
using ConversationTurn = SemanticRouter.Server.Engine.ConversationTurn;
using ModelScore = SemanticRouter.Server.Engine.ModelScore;
using OutcomeReceipt = SemanticRouter.Server.Engine.OutcomeReceipt;
using OutcomeReport = SemanticRouter.Server.Engine.OutcomeReport;
using RouteListing = SemanticRouter.Server.Engine.RouteListing;
using RouteSummary = SemanticRouter.Server.Engine.RouteSummary;
using UtterancesAdded = SemanticRouter.Server.Engine.UtterancesAdded;

/// <summary>
/// A deterministic in-memory engine. Routes "code" (coder, large) and "chat" (small, large); a query
/// mentioning code/python/function matches "code", anything else "chat". Tests replace any step
/// through the <c>On…</c> callbacks (no mocking library).
/// </summary>
internal sealed class FakeBackend : IRouterBackend, IDisposable
{
    public static readonly string[] Models = ["coder", "large", "small"];
    private readonly IndexHolder<FakeIndex> _index;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RankQuery> _requests = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<OutcomeReport> _outcomes = new();
    private int _nextRequest;
    private int _nextVersion = 1;

    public FakeBackend()
    {
        _index = new IndexHolder<FakeIndex>(new FakeIndex("v1", new()
        {
            ["code"] = ["write a python function", "fix this code", "how do I sort a list in C#"],
            ["chat"] = ["hello there", "tell me a joke", "what's the weather like"],
        }));
    }

    public Func<RankQuery, CancellationToken, ValueTask<RankResult>>? OnRank { get; set; }

    public Func<string?, CancellationToken, ValueTask<ReloadResult>>? OnReload { get; set; }

    public bool IsReady { get; set; } = true;

    public IReadOnlyCollection<OutcomeReport> Outcomes => _outcomes;

    public IndexHolder<FakeIndex> Index => _index;

    public async ValueTask<RankResult> RankAsync(RankQuery query, CancellationToken cancellationToken)
    {
        if (OnRank is { } onRank)
        {
            return await onRank(query, cancellationToken);
        }

        return Rank(query);
    }

    public RankResult Rank(RankQuery query)
    {
        CheckModels(query.Candidates, "candidates");
        CheckModels(query.Excluded, "excluded");
        using var lease = _index.Acquire();
        var index = lease.Value;
        var neighbors = index.Search(query.Query, query.K);
        var route = Classify(query.Query);
        var routeModels = route == "code" ? new[] { ("coder", 0.9), ("large", 0.7), ("small", 0.2) } : [("small", 0.8), ("large", 0.75), ("coder", 0.1)];
        var lambda = query.CostWeight ?? 0;
        var models = routeModels
            .Where(m => query.Candidates.Count == 0 || query.Candidates.Contains(m.Item1))
            .Where(m => !query.Excluded.Contains(m.Item1))
            .Select(m => new ModelScore(m.Item1, m.Item2 - (lambda * Cost(m.Item1)), [route], m.Item2, Cost(m.Item1)))
            .OrderByDescending(m => m.Score)
            .ToList();
        var id = $"req-{Interlocked.Increment(ref _nextRequest)}";
        _requests[id] = query;
        var abstained = query.Query.Contains("weather on mars", StringComparison.OrdinalIgnoreCase);
        return new RankResult(id, models, new RouteDecision(route, abstained ? 0.2 : 0.9, abstained, abstained ? "chat" : null, 0.5),
            query.IncludeNeighbors ? neighbors : [], index.Version, new RankTimings(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(0.1)), EmbeddingCacheHit: false);
    }

    public ValueTask<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken)
    {
        CheckModels([report.Model], "model");
        if (report.RequestId is { } id && !_requests.ContainsKey(id))
        {
            throw new RouterInputException(RouterErrorKind.UnknownRequestId, $"request_id '{id}' is unknown or has expired; send the query instead.");
        }

        _outcomes.Enqueue(report);
        return ValueTask.FromResult(new OutcomeReceipt(report.RequestId ?? $"req-{Interlocked.Increment(ref _nextRequest)}"));
    }

    public ValueTask<NeighborInspection> InspectNeighborsAsync(InspectQuery query, CancellationToken cancellationToken)
    {
        using var lease = _index.Acquire();
        var neighbors = lease.Value.Search(query.Query, query.K)
            .Select(n => n with { Models = [new ModelSuccessStats("coder", 3, 4, 0.7), new ModelSuccessStats("small", 1, 4, 0.3)] })
            .ToList();
        return ValueTask.FromResult(new NeighborInspection(neighbors, new RouteDecision(Classify(query.Query), 0.9, false, null, 0.5), lease.Value.Version));
    }

    public ValueTask<RouteListing> ListRoutesAsync(CancellationToken cancellationToken)
    {
        using var lease = _index.Acquire();
        var routes = lease.Value.Routes
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => new RouteSummary(r.Key, $"{r.Key} prompts", r.Key == "code" ? ["coder", "large"] : ["small", "large"], r.Value.Count, 0.5))
            .ToList();
        return ValueTask.FromResult(new RouteListing(routes, lease.Value.Version));
    }

    public ValueTask<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken)
    {
        lock (_index)
        {
            var current = _index.Current;
            if (!current.Routes.TryGetValue(route, out var existing))
            {
                throw new RouterInputException(RouterErrorKind.UnknownRoute, $"route '{route}' does not exist.");
            }

            foreach (var u in utterances)
            {
                if (existing.Contains(u))
                {
                    throw new RouterInputException(RouterErrorKind.DuplicateUtterance, $"route '{route}' already has the utterance \"{u}\".");
                }
            }

            var routes = current.Routes.ToDictionary(r => r.Key, r => r.Key == route ? [.. r.Value, .. utterances] : r.Value);
            var next = new FakeIndex($"v{Interlocked.Increment(ref _nextVersion)}", routes);
            _index.Swap(next);
            return ValueTask.FromResult(new UtterancesAdded(utterances.Count, next.Version));
        }
    }

    public async ValueTask<ReloadResult> ReloadAsync(string? path, CancellationToken cancellationToken)
    {
        if (OnReload is { } onReload)
        {
            return await onReload(path, cancellationToken);
        }

        if (path is not null && path.Contains("corrupt", StringComparison.Ordinal))
        {
            throw new RouterInputException(RouterErrorKind.CorruptArtifact, $"index artefact '{path}' is corrupt: vectors.bin checksum mismatch.");
        }

        if (path is not null && path.Contains("missing", StringComparison.Ordinal))
        {
            throw new RouterInputException(RouterErrorKind.NotFound, $"index artefact '{path}' does not exist.");
        }

        var current = _index.Current;
        var next = new FakeIndex($"v{Interlocked.Increment(ref _nextVersion)}", current.Routes);
        var previous = _index.Swap(next);
        // A path naming "other-settings" stands for an index that carries other ranking settings.
        return new ReloadResult(next.Version, previous.Version, next.Routes.Sum(r => r.Value.Count), next.Routes.Count,
            path?.Contains("other-settings", StringComparison.Ordinal) == true);
    }

    public void Dispose() => _index.Dispose();

    private static void CheckModels(IEnumerable<string> names, string field)
    {
        foreach (var name in names)
        {
            if (!Models.Contains(name))
            {
                throw new RouterInputException(RouterErrorKind.UnknownModel, $"{field} names an unknown model '{name}'; known models: {string.Join(", ", Models)}.");
            }
        }
    }

    private static double Cost(string model) => model switch { "large" => 1.0, "coder" => 0.4, _ => 0.1 };

    private static string Classify(string query) =>
        query.Contains("code", StringComparison.OrdinalIgnoreCase) || query.Contains("python", StringComparison.OrdinalIgnoreCase) || query.Contains("function", StringComparison.OrdinalIgnoreCase)
            ? "code" : "chat";
}

/// <summary>An immutable fake index that refuses use after disposal (to catch a swap that disposes too early).</summary>
internal sealed class FakeIndex(string version, Dictionary<string, List<string>> routes) : IDisposable
{
    private volatile bool _disposed;

    public string Version { get; } = version;

    public Dictionary<string, List<string>> Routes { get; } = routes;

    public bool IsDisposed => _disposed;

    public List<NeighborInfo> Search(string query, int k)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var words = query.ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return Routes
            .SelectMany(r => r.Value.Select(u => (Route: r.Key, Utterance: u)))
            .Select(x => (x.Route, x.Utterance, Sim: (double)words.Count(w => x.Utterance.ToUpperInvariant().Contains(w, StringComparison.Ordinal)) / Math.Max(1, words.Length)))
            .OrderByDescending(x => x.Sim).ThenBy(x => x.Utterance, StringComparer.Ordinal)
            .Take(k)
            .Select(x => new NeighborInfo(x.Utterance, x.Route, x.Sim, 1.0 / k))
            .ToList();
    }

    public void Dispose() => _disposed = true;
}
