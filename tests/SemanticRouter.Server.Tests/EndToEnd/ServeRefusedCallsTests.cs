using Grpc.Core;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>A heavy-call `serve` process that works on one Router call at a time and queues none.</summary>
public sealed class OneCallServer : HeavyCallServer
{
    protected override IEnumerable<string> ExtraArguments =>
        [.. base.ExtraArguments, "--SemanticRouter:MaxConcurrentCalls=1", "--SemanticRouter:MaxQueuedCalls=0"];
}

/// <summary>
/// Calls refused before any work (by the key check, before the body is read, and by the call limit) are counted in a
/// real `serve` process's /metrics by method and status, beside the calls that were answered.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServeRefusedCallsTests
{
    [Fact]
    public async Task KeyCheckAndCallLimitRefusals_AreCountedByMethodAndStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var served = new OneCallServer();
        await served.InitializeAsync();
        var serve = served.Serve;
        var client = served.Client;
        var ranking = new RankModelsRequest { Query = "write a python function that reverses a list" };

        // The key check: no key, a wrong key, the API key on an admin RPC.
        var noKey = await Assert.ThrowsAsync<RpcException>(() => client.RankModelsAsync(ranking, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, noKey.StatusCode);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => client.ListRoutesAsync(new ListRoutesRequest(), new Metadata { { "authorization", "Bearer not-the-key" } }, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);
        var apiKeyOnAdmin = await Assert.ThrowsAsync<RpcException>(() => client.ReloadIndexAsync(new ReloadIndexRequest(), served.Query, cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, apiKeyOnAdmin.StatusCode);

        // The call limit: one heavy call holds the only slot (it is embedding: the CPU climbs), so the next is refused.
        using var heavy = client.RankModelsAsync(HeavyCallServer.Heavy(300), served.Query, DateTime.UtcNow.AddMinutes(2), ct);
        double cpu = serve.CpuSeconds();
        while (serve.CpuSeconds() < cpu + 0.5)
        {
            await Task.Delay(50, ct);
        }

        var busy = await Assert.ThrowsAsync<RpcException>(() => client.RankModelsAsync(ranking, served.Query, DateTime.UtcNow.AddSeconds(30), ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, busy.StatusCode);
        Assert.NotEmpty((await heavy.ResponseAsync).Models);
        await served.AssertServingAsync(ct);

        using var http = new HttpClient { BaseAddress = serve.MetricsAddress, Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        const string Calls = "semantic_router_grpc_calls_total";
        Assert.True(1 == MetricsText.Sum(metrics, Calls, Method("RankModels"), "code=\"Unauthenticated\""), metrics);
        Assert.Equal(1, MetricsText.Sum(metrics, Calls, Method("ListRoutes"), "code=\"Unauthenticated\""));
        Assert.Equal(1, MetricsText.Sum(metrics, Calls, Method("ReloadIndex"), "code=\"PermissionDenied\""));
        Assert.Equal(1, MetricsText.Sum(metrics, Calls, Method("RankModels"), "code=\"ResourceExhausted\""));
        Assert.Equal(2, MetricsText.Sum(metrics, Calls, Method("RankModels"), "code=\"OK\"")); // the heavy call and the good one
    }

    private static string Method(string rpc) => $"method=\"semantic_router.v1.Router/{rpc}\"";
}
