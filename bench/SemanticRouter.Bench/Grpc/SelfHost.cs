using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Bench.Grpc;

/// <summary>
/// The real host (Kestrel, h2c, interceptors, metrics) on 127.0.0.1 over an engine that answers in
/// constant time: what the server itself costs per call, to be set beside the encoder's time.
/// </summary>
internal sealed class SelfHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SelfHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<SelfHost> StartAsync(IEmbeddingGenerator<string, Embedding<float>>? encoder = null)
    {
        var builder = RouterHost.CreateBuilder([], new ConstantRouter(encoder), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "-1",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = RouterHost.Build(builder);
        await app.StartAsync();
        return new SelfHost(app, RouterHost.GetEndpoints(app).Grpc!);
    }

    /// <summary>Serves the constant-time engine on 127.0.0.1 until Ctrl+C (for trying clients without an index).</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var port = args is ["--port", var p] ? p : "50051";
        var app = RouterHost.Build(RouterHost.CreateBuilder([], new ConstantRouter(null), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = port,
            ["MetricsPort"] = "0",
        }));
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync().ConfigureAwait(false);
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Answers in constant time after embedding the query with <paramref name="encoder"/> (when given).</summary>
    private sealed class ConstantRouter(IEmbeddingGenerator<string, Embedding<float>>? encoder) : ISemanticRouter, ISemanticRouterAdmin
    {
        private static readonly ModelScore[] Models =
        [
            new("strong", 0.9, 0.9, 1, ["code"]),
            new("cheap", 0.6, 0.6, 0.1, ["chat"]),
        ];

        private static readonly RouteVerdict Verdict = new("code", 0.9, false, null, 0.5);

        private long _next;

        public async Task<RoutingDecision> RankAsync(RoutingRequest request, CancellationToken cancellationToken = default)
        {
            if (encoder is not null)
            {
                await encoder.GenerateAsync([request.Query], cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return new RoutingDecision($"r{Interlocked.Increment(ref _next)}", Models, Verdict, [], "bench");
        }

        public Task<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken = default) =>
            Task.FromResult(new OutcomeReceipt(report.RequestId ?? "r0"));

        public Task<NeighborReport> InspectNeighborsAsync(InspectRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new NeighborReport([], Verdict, "bench"));

        public Task<RouteListing> ListRoutesAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(new RouteListing([new RouteSummary("code", null, ["strong"], 1, 0.5)], "bench"));

        public Task<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken = default) =>
            Task.FromResult(new UtterancesAdded(utterances.Count, "bench"));

        public Task<IndexReloaded> ReloadIndexAsync(string? path, CancellationToken cancellationToken = default) =>
            Task.FromResult(new IndexReloaded("bench", "bench", 1, 1));
    }
}
