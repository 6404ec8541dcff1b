using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Client;

/// <summary>
/// A SemanticRouter server behind the router contract: every <see cref="ISemanticRouter"/> and
/// <see cref="ISemanticRouterAdmin"/> call is one gRPC call with the configured deadline and API key,
/// retried only when the server answers UNAVAILABLE (or cannot be reached).
/// </summary>
/// <remarks>
/// Thread-safe; create one per server and reuse it (it holds the HTTP/2 connection). Errors are
/// <see cref="RouterException"/> with the code of the same name as the gRPC status (INVALID_ARGUMENT →
/// <see cref="RouterErrorCode.InvalidArgument"/>, …); a status with no such code (DEADLINE_EXCEEDED,
/// INTERNAL, UNKNOWN, …) is <see cref="RouterErrorCode.Unavailable"/>, since the router could not answer;
/// the <see cref="RpcException"/> is the inner exception. Cancelling the token throws
/// <see cref="OperationCanceledException"/>. The wire format (router.proto v1) has no field yet for
/// <see cref="IndexReloaded.RankingSettingsChanged"/>: it is always false.
/// </remarks>
public sealed class RouterClient : ISemanticRouter, ISemanticRouterAdmin, IDisposable
{
    private readonly GrpcChannel? _ownedChannel;
    private readonly Metadata? _headers;
    private readonly Metadata? _adminHeaders;
    private readonly TimeSpan _deadline;

    /// <summary>Connects to <see cref="RouterClientOptions.Address"/> with the retry policy of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are not usable (<see cref="RouterClientOptions.Validate"/> says why).</exception>
    public RouterClient(RouterClientOptions options)
        : this(CreateChannel(options), options, owns: true)
    {
    }

    /// <summary>Connects to <paramref name="address"/> with the default settings.</summary>
    public RouterClient(Uri address)
        : this(new RouterClientOptions { Address = address })
    {
    }

    /// <summary>
    /// Uses an existing channel (not disposed by this client); its own retry policy applies, and
    /// <paramref name="options"/> gives the key and deadline.
    /// </summary>
    public RouterClient(GrpcChannel channel, RouterClientOptions? options = null)
        : this(channel, options ?? new RouterClientOptions(), owns: false)
    {
    }

    private RouterClient(GrpcChannel channel, RouterClientOptions options, bool owns)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _ownedChannel = owns ? channel : null;
        Raw = new Router.RouterClient(channel);
        _deadline = options.Deadline > TimeSpan.Zero ? options.Deadline : new RouterClientOptions().Deadline;
        if (options.ApiKey is { Length: > 0 } key)
        {
            _headers = new Metadata { { "authorization", "Bearer " + key } };
        }

        _adminHeaders = options.AdminKey is { Length: > 0 } adminKey ? new Metadata { { "authorization", "Bearer " + adminKey } } : _headers;
    }

    /// <summary>The generated gRPC stub, for calls this wrapper does not cover (errors stay <see cref="RpcException"/> there).</summary>
    public Router.RouterClient Raw { get; }

    public Task<RoutingDecision> RankAsync(RoutingRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(o => Raw.RankModelsAsync(ProtoMapping.ToProto(request), o), ProtoMapping.FromProto, cancellationToken);
    }

    public Task<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        return CallAsync(o => Raw.RecordOutcomeAsync(ProtoMapping.ToProto(report), o), r => new OutcomeReceipt(r.RequestId, r.Replayed), cancellationToken);
    }

    public Task<NeighborReport> InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(o => Raw.InspectNeighborsAsync(ProtoMapping.ToProto(request), o), ProtoMapping.FromProto, cancellationToken);
    }

    public Task<RouteListing> ListRoutesAsync(CancellationToken cancellationToken = default) =>
        CallAsync(o => Raw.ListRoutesAsync(new ListRoutesRequest(), o), ProtoMapping.FromProto, cancellationToken);

    public Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(utterances);
        var request = new AddUtterancesRequest { Route = route };
        request.Utterances.Add(utterances);
        return CallAsync(o => Raw.AddUtterancesAsync(request, o), r => new UtterancesAdded(r.Added, r.IndexVersion), cancellationToken, _adminHeaders);
    }

    public Task<IndexReloaded> ReloadIndexAsync(string? path, CancellationToken cancellationToken = default) =>
        CallAsync(
            o => Raw.ReloadIndexAsync(new ReloadIndexRequest { Path = path ?? string.Empty }, o),
            r => new IndexReloaded(r.IndexVersion, r.PreviousIndexVersion, r.UtteranceCount, r.RouteCount),
            cancellationToken,
            _adminHeaders);

    public void Dispose() => _ownedChannel?.Dispose();

    /// <summary>The one place a call is made: deadline and key on the way out, status → <see cref="RouterException"/> on the way back.</summary>
    private async Task<TResult> CallAsync<TResponse, TResult>(
        Func<CallOptions, AsyncUnaryCall<TResponse>> start, Func<TResponse, TResult> map, CancellationToken cancellationToken, Metadata? headers = null)
    {
        try
        {
            using var call = start(new CallOptions(headers ?? _headers, DateTime.UtcNow.Add(_deadline), cancellationToken));
            return map(await call.ResponseAsync.ConfigureAwait(false));
        }
        catch (RpcException e)
        {
            throw RouterErrors.FromRpc(e, _deadline, cancellationToken);
        }
    }

    private static GrpcChannel CreateChannel(RouterClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var channelOptions = new GrpcChannelOptions();
        if (options.MaxAttempts > 1)
        {
            // Only UNAVAILABLE: the server did not take the call (not ready, shutting down, unreachable),
            // so a retry cannot count anything twice.
            var retry = new RetryPolicy
            {
                MaxAttempts = options.MaxAttempts,
                InitialBackoff = options.InitialBackoff,
                MaxBackoff = options.MaxBackoff,
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            };
            channelOptions.ServiceConfig = new ServiceConfig { MethodConfigs = { new MethodConfig { Names = { MethodName.Default }, RetryPolicy = retry } } };
        }

        return GrpcChannel.ForAddress(options.Address, channelOptions);
    }
}
