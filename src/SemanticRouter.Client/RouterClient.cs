using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Client;

/// <summary>Settings of <see cref="RouterClient"/>. Null means the default.</summary>
public sealed class RouterClientOptions
{
    /// <summary>Sent as <c>authorization: Bearer &lt;key&gt;</c> on every call.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Deadline of each call (default 10 s).</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>Options of one ranking. Null/empty means the server default.</summary>
public sealed record RankOptions
{
    public int K { get; init; }

    public IReadOnlyList<string>? Candidates { get; init; }

    public IReadOnlyList<string>? Excluded { get; init; }

    public double? CostWeight { get; init; }

    public bool IncludeNeighbors { get; init; }

    /// <summary>Earlier turns, oldest first.</summary>
    public IReadOnlyList<(string Role, string Text)>? History { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>One ranked model.</summary>
public sealed record ModelChoice(string Model, double Score, IReadOnlyList<string> SupportingRoutes);

/// <summary>The router's answer: models best first, the matched route or the abstention, and the request id to report outcomes with.</summary>
public sealed record RoutingDecision(
    string RequestId,
    IReadOnlyList<ModelChoice> Models,
    string Route,
    double Confidence,
    bool Abstained,
    string? FallbackRoute,
    string IndexVersion,
    RankModelsResponse Response)
{
    /// <summary>The best model, or null when no candidate was ranked.</summary>
    public string? BestModel => Models.Count > 0 ? Models[0].Model : null;
}

/// <summary>
/// A typed client of the SemanticRouter gRPC service. Thread-safe; create one per server and reuse
/// it. Failed calls throw <see cref="RpcException"/> with the status codes documented in
/// <c>router.proto</c>.
/// </summary>
public sealed class RouterClient : IDisposable
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly Metadata? _headers;
    private readonly TimeSpan _timeout;

    /// <summary>Connects to <paramref name="address"/> (<c>http://host:50051</c> for h2c, <c>https://</c> for TLS).</summary>
    public RouterClient(Uri address, RouterClientOptions? options = null)
        : this(GrpcChannel.ForAddress(address ?? throw new ArgumentNullException(nameof(address))), options, owns: true)
    {
    }

    /// <summary>Uses an existing channel (not disposed by this client).</summary>
    public RouterClient(GrpcChannel channel, RouterClientOptions? options = null)
        : this(channel, options, owns: false)
    {
    }

    private RouterClient(GrpcChannel channel, RouterClientOptions? options, bool owns)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _ownedChannel = owns ? channel : null;
        Raw = new Router.RouterClient(channel);
        _timeout = options?.Timeout ?? TimeSpan.FromSeconds(10);
        if (options?.ApiKey is { Length: > 0 } key)
        {
            _headers = new Metadata { { "authorization", "Bearer " + key } };
        }
    }

    /// <summary>The generated stub, for calls this wrapper does not cover.</summary>
    public Router.RouterClient Raw { get; }

    public async Task<RoutingDecision> RankAsync(string query, RankOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await Raw.RankModelsAsync(BuildRequest(query, options), Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);
        return ToDecision(response);
    }

    /// <summary>Blocking variant for callers that cannot await (Semantic Kernel's service selector).</summary>
    public RoutingDecision Rank(string query, RankOptions? options = null, CancellationToken cancellationToken = default) =>
        ToDecision(Raw.RankModels(BuildRequest(query, options), Options(cancellationToken)));

    /// <summary>Reports whether <paramref name="model"/> served the request well; returns once the outcome is durable.</summary>
    public async Task RecordOutcomeAsync(string requestId, string model, bool success, CancellationToken cancellationToken = default) =>
        await Raw.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = requestId, Model = model, Success = success }, Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);

    /// <summary>Reports a graded outcome in [0, 1].</summary>
    public async Task RecordOutcomeAsync(string requestId, string model, double score, CancellationToken cancellationToken = default) =>
        await Raw.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = requestId, Model = model, Score = score }, Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);

    public async Task<InspectNeighborsResponse> InspectNeighborsAsync(string query, int k = 0, CancellationToken cancellationToken = default) =>
        await Raw.InspectNeighborsAsync(new InspectNeighborsRequest { Query = query, K = k }, Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);

    public async Task<IReadOnlyList<RouteInfo>> ListRoutesAsync(CancellationToken cancellationToken = default) =>
        (await Raw.ListRoutesAsync(new ListRoutesRequest(), Options(cancellationToken)).ResponseAsync.ConfigureAwait(false)).Routes;

    public async Task<AddUtterancesResponse> AddUtterancesAsync(string route, IEnumerable<string> utterances, CancellationToken cancellationToken = default)
    {
        var request = new AddUtterancesRequest { Route = route };
        request.Utterances.Add(utterances);
        return await Raw.AddUtterancesAsync(request, Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);
    }

    public async Task<ReloadIndexResponse> ReloadIndexAsync(string? path = null, CancellationToken cancellationToken = default) =>
        await Raw.ReloadIndexAsync(new ReloadIndexRequest { Path = path ?? string.Empty }, Options(cancellationToken)).ResponseAsync.ConfigureAwait(false);

    public void Dispose() => _ownedChannel?.Dispose();

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(_headers, DateTime.UtcNow.Add(_timeout), cancellationToken);

    private static RankModelsRequest BuildRequest(string query, RankOptions? options)
    {
        ArgumentNullException.ThrowIfNull(query);
        var request = new RankModelsRequest { Query = query };
        if (options is null)
        {
            return request;
        }

        request.K = options.K;
        request.IncludeNeighbors = options.IncludeNeighbors;
        if (options.CostWeight is { } lambda)
        {
            request.CostWeight = lambda;
        }

        if (options.Candidates is { } candidates)
        {
            request.Candidates.Add(candidates);
        }

        if (options.Excluded is { } excluded)
        {
            request.Excluded.Add(excluded);
        }

        foreach (var (role, text) in options.History ?? [])
        {
            request.History.Add(new Turn { Role = role, Text = text });
        }

        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            request.Metadata[key] = value;
        }

        return request;
    }

    private static RoutingDecision ToDecision(RankModelsResponse response) => new(
        response.RequestId,
        response.Models.Select(m => new ModelChoice(m.Model, m.Score, m.SupportingRoutes)).ToList(),
        response.Match?.Route ?? string.Empty,
        response.Match?.Confidence ?? 0,
        response.Match?.Abstained ?? false,
        string.IsNullOrEmpty(response.Match?.FallbackRoute) ? null : response.Match.FallbackRoute,
        response.IndexVersion,
        response);
}
