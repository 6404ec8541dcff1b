using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>What /metrics says about a real `serve` process: each event counted exactly once.</summary>
public class ServeMetricsTests
{
    [Fact]
    public async Task Serve_CountsEachOutcomeAndEachReloadOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = ExampleIndex.Build(dir, ct);

        await using var serve = await ServeProcess.StartAsync(["--index", index, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--SemanticRouter:AllowAdminWithoutKey=true"]);
        using var channel = GrpcChannel.ForAddress(serve.GrpcAddress);
        var client = new Router.RouterClient(channel);
        const int N = 7;
        for (int i = 0; i < N; i++)
        {
            var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = $"write a python function that sorts list number {i}" }, cancellationToken: ct);
            await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = ranked.Models[0].Model, Success = i % 3 != 0 }, cancellationToken: ct);
        }

        await client.ReloadIndexAsync(new ReloadIndexRequest(), cancellationToken: ct);
        await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that sorts list number 0" }, cancellationToken: ct);

        using var http = new HttpClient { BaseAddress = serve.MetricsAddress, Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        Assert.True(N == MetricsText.Sum(metrics, "semantic_router_outcomes_total"), $"outcomes counted {MetricsText.Sum(metrics, "semantic_router_outcomes_total")} times for {N} outcomes:\n{metrics}\n{serve.Output}");
        Assert.Equal(4, MetricsText.Sum(metrics, "semantic_router_outcomes_total", "result=\"success\"")); // i = 1, 2, 4, 5
        Assert.Equal(3, MetricsText.Sum(metrics, "semantic_router_outcomes_total", "result=\"failure\""));
        Assert.True(MetricsText.Sum(metrics, "semantic_router_index_reloads_total") == 1, $"reloads counted {MetricsText.Sum(metrics, "semantic_router_index_reloads_total")} times for one reload:\n{metrics}");
        Assert.Equal(1, MetricsText.Sum(metrics, "semantic_router_index_reloads_total", "result=\"ok\""));
        // The encoder stack reports through the same metrics: N texts embedded once each, the repeated one from the cache.
        Assert.Equal(N, MetricsText.Sum(metrics, "semantic_router_embedding_cache_requests_total", "result=\"miss\""));
        Assert.Equal(1, MetricsText.Sum(metrics, "semantic_router_embedding_cache_requests_total", "result=\"hit\""));
        Assert.Matches(@"(?m)^semantic_router_embedding_batch_size_count [1-9]", metrics);
        Assert.Matches(@"(?m)^semantic_router_index_utterances [1-9][0-9]+$", metrics);
        // The web page is off unless enabled (SemanticRouter:Web:Enabled or serve --web).
        using var page = await http.GetAsync(new Uri("/ui", UriKind.Relative), ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, page.StatusCode);
    }
}
