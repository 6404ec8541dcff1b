using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Bench.Grpc;

// The contract (namespace SemanticRouter) has records of the same names; these are the backend's.
using ConversationTurn = SemanticRouter.Server.Engine.ConversationTurn;
using ModelScore = SemanticRouter.Server.Engine.ModelScore;
using OutcomeReceipt = SemanticRouter.Server.Engine.OutcomeReceipt;
using OutcomeReport = SemanticRouter.Server.Engine.OutcomeReport;
using RouteListing = SemanticRouter.Server.Engine.RouteListing;
using RouteSummary = SemanticRouter.Server.Engine.RouteSummary;
using UtterancesAdded = SemanticRouter.Server.Engine.UtterancesAdded;

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
        var builder = RouterHost.CreateBuilder([], new ConstantBackend(encoder), new Dictionary<string, string?>
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
        await RouterHost.RunAsync([], _ => new ConstantBackend(null), new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = port,
            ["MetricsPort"] = "0",
        });
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Answers in constant time after embedding the query with <paramref name="encoder"/> (when given).</summary>
    private sealed class ConstantBackend(IEmbeddingGenerator<string, Embedding<float>>? encoder) : IRouterBackend
    {
        private static readonly ModelScore[] Models =
        [
            new("strong", 0.9, ["code"]),
            new("cheap", 0.6, ["chat"]),
        ];

        private long _next;

        public bool IsReady => true;

        public async ValueTask<RankResult> RankAsync(RankQuery query, CancellationToken cancellationToken)
        {
            if (encoder is not null)
            {
                await encoder.GenerateAsync([query.Query], cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return new RankResult($"r{Interlocked.Increment(ref _next)}", Models, new RouteDecision("code", 0.9, false, null, 0.5), [], "bench");
        }

        public ValueTask<OutcomeReceipt> RecordOutcomeAsync(OutcomeReport report, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new OutcomeReceipt(report.RequestId ?? "r0"));

        public ValueTask<NeighborInspection> InspectNeighborsAsync(InspectQuery query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new NeighborInspection([], new RouteDecision("code", 0.9, false, null, 0.5), "bench"));

        public ValueTask<RouteListing> ListRoutesAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new RouteListing([new RouteSummary("code", null, ["strong"], 1, 0.5)], "bench"));

        public ValueTask<UtterancesAdded> AddUtterancesAsync(string route, IReadOnlyList<string> utterances, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new UtterancesAdded(utterances.Count, "bench"));

        public ValueTask<ReloadResult> ReloadAsync(string? path, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new ReloadResult("bench", "bench", 1, 1));
    }
}
