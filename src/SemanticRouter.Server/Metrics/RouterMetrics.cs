using Prometheus;

namespace SemanticRouter.Server.Metrics;

/// <summary>
/// The server's Prometheus metrics, in a registry of their own (so several hosts in one process,
/// as in tests, do not share counters). The Router service records calls, latency, index size and
/// version, outcomes and reloads (each in one place: <c>RouterService</c>), each ranking's route,
/// abstention and chosen model, and embedding/search latency from <see cref="RoutingDecision.Timings"/>;
/// the encoder stack reports batch sizes and cache lookups through <see cref="ObserveBatch"/> and
/// <see cref="RecordCacheLookup"/>; start-up reports the model (<see cref="SetModel"/>). The registry also
/// carries the process's and the .NET runtime's own metrics (<see cref="RuntimeMetrics"/>).
/// Every metric's meaning, and what to alert on: docs/operations.md.
/// </summary>
public sealed class RouterMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.00005, 2, 18); // 50 µs .. 6.5 s
    private static readonly double[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128];

    private readonly Counter _calls;
    private readonly Histogram _callDuration;
    private readonly Histogram _embedding;
    private readonly Histogram _search;
    private readonly Histogram _batchSize;
    private readonly Counter _cache;
    private readonly Gauge _cacheHitRatio;
    private readonly Gauge _indexSize;
    private readonly Gauge _indexInfo;
    private readonly Counter _reloads;
    private readonly Counter _outcomes;
    private readonly Counter _rankings;
    private readonly Counter _chosen;
    private readonly Gauge _modelInfo;
    private readonly Lock _indexLock = new();
    private string? _indexVersion;
    private long _cacheHits;
    private long _cacheMisses;

    public RouterMetrics()
        : this(Prometheus.Metrics.NewCustomRegistry())
    {
    }

    public RouterMetrics(CollectorRegistry registry)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _calls = factory.CreateCounter("semantic_router_grpc_calls_total", "gRPC calls by method and status code.", "method", "code");
        _callDuration = factory.CreateHistogram("semantic_router_grpc_call_duration_seconds", "Server-side latency of gRPC calls.",
            new HistogramConfiguration { LabelNames = ["method"], Buckets = LatencyBuckets });
        _embedding = factory.CreateHistogram("semantic_router_embedding_duration_seconds", "Time to embed a query (including batching wait).",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        _search = factory.CreateHistogram("semantic_router_search_duration_seconds", "Time of the index search and ranking.",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        _batchSize = factory.CreateHistogram("semantic_router_embedding_batch_size", "Texts per encoder call.",
            new HistogramConfiguration { Buckets = BatchBuckets });
        _cache = factory.CreateCounter("semantic_router_embedding_cache_requests_total", "Query embedding cache lookups.", "result");
        _cacheHitRatio = factory.CreateGauge("semantic_router_embedding_cache_hit_ratio", "Hits over lookups since start.");
        _indexSize = factory.CreateGauge("semantic_router_index_utterances", "Utterances in the live index.");
        _indexInfo = factory.CreateGauge("semantic_router_index_info", "The live index version (value 1).", "version");
        _reloads = factory.CreateCounter("semantic_router_index_reloads_total", "Index reloads by result.", "result");
        _outcomes = factory.CreateCounter("semantic_router_outcomes_total", "Outcomes recorded, by model and result.", "model", "result");
        _rankings = factory.CreateCounter("semantic_router_rankings_total", "RankModels answers by matched route and whether they abstained (out of scope).", "route", "abstained");
        _chosen = factory.CreateCounter("semantic_router_chosen_model_total", "RankModels answers by the model ranked first (\"none\" when no candidate was ranked).", "model");
        _modelInfo = factory.CreateGauge("semantic_router_model_info", "The sentence model the encoder runs (value 1).", "model", "sha256", "intra_op_threads");
    }

    /// <summary>The registry <c>/metrics</c> serves.</summary>
    public CollectorRegistry Registry { get; }

    public void RecordCall(string method, string code, TimeSpan elapsed)
    {
        _calls.WithLabels(method, code).Inc();
        _callDuration.WithLabels(method).Observe(elapsed.TotalSeconds);
    }

    public void ObserveEmbedding(TimeSpan elapsed) => _embedding.Observe(elapsed.TotalSeconds);

    public void ObserveSearch(TimeSpan elapsed) => _search.Observe(elapsed.TotalSeconds);

    public void ObserveBatch(int size) => _batchSize.Observe(size);

    public void RecordCacheLookup(bool hit)
    {
        _cache.WithLabels(hit ? "hit" : "miss").Inc();
        var hits = hit ? Interlocked.Increment(ref _cacheHits) : Interlocked.Read(ref _cacheHits);
        var misses = hit ? Interlocked.Read(ref _cacheMisses) : Interlocked.Increment(ref _cacheMisses);
        _cacheHitRatio.Set(hits + misses == 0 ? 0 : (double)hits / (hits + misses));
    }

    /// <summary>The index version serving, as last reported (null before the router opened): for health details.</summary>
    public string? IndexVersion
    {
        get
        {
            lock (_indexLock)
            {
                return _indexVersion;
            }
        }
    }

    public void SetIndex(string version, int? utterances = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (utterances is { } n)
        {
            _indexSize.Set(n);
        }

        lock (_indexLock)
        {
            if (version == _indexVersion)
            {
                return;
            }

            if (_indexVersion is not null)
            {
                _indexInfo.RemoveLabelled(_indexVersion);
            }

            _indexInfo.WithLabels(version).Set(1);
            _indexVersion = version;
        }
    }

    /// <summary>One RankModels answer: its route (the best match, also when abstaining) and the model it put first.</summary>
    public void RecordRanking(string route, bool abstained, string? bestModel)
    {
        _rankings.WithLabels(route.Length == 0 ? "none" : route, abstained ? "true" : "false").Inc();
        _chosen.WithLabels(bestModel ?? "none").Inc();
    }

    /// <summary>The model the encoder runs (set once at start-up).</summary>
    public void SetModel(Composition.ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _modelInfo.WithLabels(model.Name, model.Sha256, model.IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(1);
    }

    public void RecordReload(bool succeeded) => _reloads.WithLabels(succeeded ? "ok" : "rejected").Inc();

    public void RecordOutcome(string model, double value) =>
        _outcomes.WithLabels(model, value >= 0.5 ? "success" : "failure").Inc();
}
