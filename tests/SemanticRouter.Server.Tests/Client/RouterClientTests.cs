using RankModelsRequest = SemanticRouter.Grpc.V1.RankModelsRequest;
using SemanticRouter.Client;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Client;


/// <summary>
/// <see cref="RouterClient"/> against the real gRPC service over the fake router: every contract call maps
/// to the wire and back, and every status arrives as the <see cref="RouterException"/> code of the same name.
/// (The chat pipeline, DI and Semantic Kernel are tested in SemanticRouter.Client.Tests against a real engine.)
/// </summary>
public class RouterClientTests
{
    private static RouterClient Connect(TestHost host, string? apiKey = null) =>
        new(host.CreateChannel(), new RouterClientOptions { ApiKey = apiKey, Deadline = TimeSpan.FromSeconds(20) });

    [Fact]
    public async Task EveryCall_MapsTheContract()
    {
        const string key = "client-test-key-0123456789";
        await using var host = await TestHost.StartAsync(inProcess: true, new() { ["ApiKey"] = key });
        using var router = Connect(host, key);

        var decision = await router.RankAsync(new RoutingRequest("write a python function")
        {
            K = 2,
            IncludeNeighbors = true,
            Candidates = ["coder", "small"],
            CostWeight = 0,
            History = [new SemanticRouter.ConversationTurn("user", "hi")],
            Metadata = new Dictionary<string, string> { ["app"] = "t" },
        }).WithTimeout();
        Assert.Equal("coder", decision.BestModel);
        Assert.Equal(["coder", "small"], decision.Models.Select(m => m.Model));
        Assert.Equal(0.9, decision.Models[0].Quality, 6);
        Assert.Equal(0.4, decision.Models[0].Cost, 6);
        Assert.Equal(["code"], decision.Models[0].SupportingRoutes);
        Assert.Equal(new RouteVerdict("code", 0.9, false, null, 0.5), decision.Route);
        Assert.Equal(2, decision.Neighbors.Count);
        Assert.Equal("v1", decision.IndexVersion);

        var abstained = await router.RankAsync(new RoutingRequest("the weather on mars")).WithTimeout();
        Assert.True(abstained.Route.Abstained);
        Assert.Equal("chat", abstained.Route.FallbackRoute);
        Assert.Empty(abstained.Neighbors);

        var receipt = await router.RecordOutcomeAsync(SemanticRouter.OutcomeReport.ForRequest(decision.RequestId, "coder", success: true)).WithTimeout();
        Assert.Equal(decision.RequestId, receipt.RequestId);
        await router.RecordOutcomeAsync(new SemanticRouter.OutcomeReport("coder", 0.25) { RequestId = decision.RequestId }).WithTimeout();
        var byQuery = await router.RecordOutcomeAsync(new SemanticRouter.OutcomeReport("small", 0) { Query = "hello there" }).WithTimeout();
        Assert.NotEqual(decision.RequestId, byQuery.RequestId);
        Assert.Equal([1.0, 0.25, 0.0], host.Router.Outcomes.Select(o => o.Score));
        Assert.Equal("hello there", host.Router.Outcomes.Last().Query);

        var inspection = await router.InspectNeighborsAsync(new InspectRequest("fix this code") { K = 2 }).WithTimeout();
        Assert.Equal(2, inspection.Neighbors.Count);
        Assert.Equal(["coder", "small"], inspection.Neighbors[0].Models!.Select(m => m.Model));
        Assert.Equal("code", inspection.Route.Route);

        var routes = await router.ListRoutesAsync().WithTimeout();
        Assert.Equal(["chat", "code"], routes.Routes.Select(r => r.Name));
        Assert.Equal("code prompts", routes.Routes[1].Description);
        Assert.Equal(3, routes.Routes[1].UtteranceCount);

        var added = await router.AddUtterancesAsync("chat", ["good morning"]).WithTimeout();
        Assert.Equal(1, added.Added);
        var reloaded = await router.ReloadIndexAsync(null).WithTimeout();
        Assert.Equal(added.IndexVersion, reloaded.PreviousIndexVersion);
        Assert.Equal(7, reloaded.UtteranceCount);
        Assert.Equal(2, reloaded.RouteCount);
    }

    [Fact]
    public async Task ExpectedCostUsd_CrossesTheWire_OnlyWhenTheRouterHasOne()
    {
        await using var host = await TestHost.StartAsync(inProcess: true);
        host.Router.OnRank = (q, _) =>
        {
            var decision = host.Router.Rank(q);
            // The first model with an expected call cost (recorded costs), the others ranked on catalogue prices.
            return Task.FromResult(decision with { Models = [decision.Models[0] with { ExpectedCostUsd = 0.0123 }, .. decision.Models.Skip(1)] });
        };

        var raw = await host.CreateClient().RankModelsAsync(new RankModelsRequest { Query = "write a python function" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.True(raw.Models[0].HasExpectedCostUsd);
        Assert.Equal(0.0123, raw.Models[0].ExpectedCostUsd);
        Assert.All(raw.Models.Skip(1), m => Assert.False(m.HasExpectedCostUsd)); // unset, not 0: "unknown" is not "free"

        using var router = Connect(host);
        var decision = await router.RankAsync(new RoutingRequest("write a python function")).WithTimeout();
        Assert.Equal(0.0123, decision.Models[0].ExpectedCostUsd);
        Assert.All(decision.Models.Skip(1), m => Assert.Null(m.ExpectedCostUsd));
    }

    [Fact]
    public async Task EveryStatus_IsTheRouterErrorCodeOfTheSameName()
    {
        const string key = "client-test-key-0123456789";
        await using var host = await TestHost.StartAsync(inProcess: true, new() { ["ApiKey"] = key });
        host.ExpectErrors();
        var router = Connect(host, key);

        async Task<RouterErrorCode> CodeOf(Func<Task> call) => (await Assert.ThrowsAsync<RouterException>(() => call().WithTimeout())).Code;

        Assert.Equal(RouterErrorCode.Unauthenticated, await CodeOf(() => Connect(host).RankAsync(new RoutingRequest("hello"))));
        Assert.Equal(RouterErrorCode.Unauthenticated, await CodeOf(() => Connect(host, "wrong-key-0123456789").ListRoutesAsync()));
        Assert.Equal(RouterErrorCode.InvalidArgument, await CodeOf(() => router.RankAsync(new RoutingRequest(" "))));
        Assert.Equal(RouterErrorCode.InvalidArgument, await CodeOf(() => router.RankAsync(new RoutingRequest("hello") { Candidates = ["nope"] })));
        Assert.Equal(RouterErrorCode.NotFound, await CodeOf(() => router.RecordOutcomeAsync(SemanticRouter.OutcomeReport.ForRequest("req-unknown", "coder", true))));
        Assert.Equal(RouterErrorCode.NotFound, await CodeOf(() => router.AddUtterancesAsync("nope", ["x"])));
        Assert.Equal(RouterErrorCode.AlreadyExists, await CodeOf(() => router.AddUtterancesAsync("chat", ["hello there"])));
        Assert.Equal(RouterErrorCode.FailedPrecondition, await CodeOf(() => router.ReloadIndexAsync("/tmp/corrupt")));
        Assert.Equal(RouterErrorCode.NotFound, await CodeOf(() => router.ReloadIndexAsync("/tmp/missing")));

        host.Router.OnRank = (_, _) => throw new RouterException(RouterErrorCode.Unavailable, "No index is loaded yet.");
        var unavailable = await Assert.ThrowsAsync<RouterException>(() => router.RankAsync(new RoutingRequest("hello")).WithTimeout());
        Assert.Equal(RouterErrorCode.Unavailable, unavailable.Code);
        Assert.IsType<global::Grpc.Core.RpcException>(unavailable.InnerException);

        // A status with no code of its name (INTERNAL: an unexpected engine failure) is "could not answer".
        host.Router.OnRank = (_, _) => throw new InvalidOperationException("engine bug");
        Assert.Equal(RouterErrorCode.Unavailable, await CodeOf(() => router.RankAsync(new RoutingRequest("hello"))));

        // The caller's cancellation is a cancellation, not a router error.
        host.Router.OnRank = async (q, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return host.Router.Rank(q);
        };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => router.RankAsync(new RoutingRequest("hello"), cancel.Token).WithTimeout());
    }

    [Fact]
    public void Options_Validated()
    {
        Assert.Null(new RouterClientOptions().Validate());
        Assert.Contains("Address", new RouterClientOptions { Address = new Uri("ftp://x") }.Validate(), StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", new RouterClientOptions { MaxAttempts = 9 }.Validate(), StringComparison.Ordinal);
        Assert.Contains("Deadline", new RouterClientOptions { Deadline = TimeSpan.Zero }.Validate(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RouterClient(new RouterClientOptions { MaxBackoff = TimeSpan.FromMilliseconds(1) }));
    }
}
