using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Index;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Routes;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Engine;

/// <summary>The engine seen through the router contract: the same answers as its own methods, and every refusal a <see cref="RouterException"/> with its code.</summary>
public sealed class RouterEngineContractTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private static readonly HnswOptions Hnsw = new() { M = 8, EfConstruction = 64, Seed = 3 };
    private readonly TestDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RoutesDir => Path.Combine(_dir.Path, "routes");

    private string IndexDir => Path.Combine(_dir.Path, "index");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Rank_ThroughTheContract_EqualsTheEnginesOwnRanking()
    {
        using var engine = Open();
        ISemanticRouter router = engine;
        var request = new RoutingRequest("and now in rust please")
        {
            History = [new ConversationTurn("user", "write a python function that reverses a linked list")],
            K = 12,
            Candidates = ["gpt-4o", "qwen2.5-coder-32b-instruct", "claude-sonnet-4"],
            Excluded = ["claude-sonnet-4"],
            CostWeight = 0.3,
            IncludeNeighbors = true,
        };

        var contract = await router.RankAsync(request, Ct);
        var own = await engine.RankAsync(new EngineQuery(request.Query)
        {
            EarlierTurns = [request.History[0].Text],
            K = 12,
            Candidates = request.Candidates,
            Excluded = request.Excluded,
            CostWeight = 0.3,
        }, Ct);

        Assert.NotEqual(own.RequestId, contract.RequestId); // each ranking is its own request
        Assert.Equal(own.IndexVersion, contract.IndexVersion);
        Assert.Equal(
            own.Ranking.Models.Select(m => (m.Model, m.Score, m.Quality, m.NormalisedCost, string.Join(",", m.SupportingRoutes.Select(s => s.Route)), m.TextEstimate)),
            contract.Models.Select(m => (m.Model, m.Score, m.Quality, m.Cost, string.Join(",", m.SupportingRoutes), m.TextEstimate)));
        Assert.Equal(["gpt-4o", "qwen2.5-coder-32b-instruct"], contract.Models.Select(m => m.Model).Order(StringComparer.Ordinal));
        Assert.Equal(contract.Models[0].Model, contract.BestModel);
        Assert.Equal((own.Ranking.Match!.Value.Route, own.Ranking.Match.Value.Confidence, own.Ranking.IsAbstained, own.Ranking.FallbackRoute, own.Ranking.Threshold),
            (contract.Route.Route, contract.Route.Confidence, contract.Route.Abstained, contract.Route.FallbackRoute, contract.Route.Threshold));
        Assert.Equal(12, contract.Neighbors.Count);
        Assert.Equal(
            own.Ranking.Neighbors.Select(n => (n.Neighbor.Utterance, n.Neighbor.Route, (double)n.Neighbor.Similarity, n.NormalisedWeight)),
            contract.Neighbors.Select(n => (n.Utterance, n.Route, n.Similarity, n.Weight)));
        Assert.NotNull(contract.Timings);

        var withoutNeighbors = await router.RankAsync(new RoutingRequest("write a python function that reverses a linked list"), Ct);
        Assert.Empty(withoutNeighbors.Neighbors);
    }

    [Fact]
    public async Task Rank_WithoutK_UsesTheSettingsTheIndexCarries()
    {
        _dir.CopyExampleRoutes();
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: new RankingSettingsFile { K = 7 }, cancellationToken: Ct);
        using var engine = Open();
        ISemanticRouter router = engine;

        var decision = await router.RankAsync(new RoutingRequest("write a python function that reverses a linked list") { IncludeNeighbors = true }, Ct);
        var inspection = await router.InspectNeighborsAsync(new InspectRequest("write a python function that reverses a linked list"), Ct);

        Assert.Equal(7, decision.Neighbors.Count);
        Assert.Equal(7, inspection.Neighbors.Count);
    }

    [Fact]
    public async Task OutcomesListingEditsAndReload_ThroughTheContract()
    {
        using var engine = Open();
        ISemanticRouter router = engine;
        ISemanticRouterAdmin admin = engine;
        const string Query = "write a python function that reverses a linked list";

        var decision = await router.RankAsync(new RoutingRequest(Query), Ct);
        var byId = await router.RecordOutcomeAsync(OutcomeReport.ForRequest(decision.RequestId, decision.BestModel!, success: false), Ct);
        var byText = await router.RecordOutcomeAsync(new OutcomeReport("gpt-4o", 0.75) { Query = "summarise this article" }, Ct);
        Assert.Equal((decision.RequestId, false), (byId.RequestId, byId.Replayed));
        Assert.False(string.IsNullOrEmpty(byText.RequestId));
        Assert.Equal(2, engine.OutcomeCount);

        var inspection = await router.InspectNeighborsAsync(new InspectRequest(Query) { K = 3 }, Ct);
        Assert.Equal(3, inspection.Neighbors.Count);
        Assert.Equal("coding", inspection.Route.Route);
        Assert.All(inspection.Neighbors, n => Assert.NotEmpty(n.Models!));
        Assert.Contains(inspection.Neighbors, n => n.Models!.Any(m => m.Model == decision.BestModel && m.Trials > 0));
        Assert.InRange(inspection.Neighbors.Sum(n => n.Weight), 0.999, 1.001); // k = 3 of a ranking at k = 3

        var listing = await router.ListRoutesAsync(Ct);
        Assert.Equal(engine.IndexVersion, listing.IndexVersion);
        Assert.Equal(engine.Catalog.Routes.Select(r => (r.Name, r.Utterances.Count)), listing.Routes.Select(r => (r.Name, r.UtteranceCount)));
        Assert.Equal(engine.Catalog["coding"].Targets.Select(t => t.Model), listing.Routes.Single(r => r.Name == "coding").Models);

        int before = engine.UtteranceCount;
        var added = await admin.AddUtterancesAsync("maths", ["show that every bounded monotone sequence of reals converges"], Ct);
        Assert.Equal((1, engine.IndexVersion), (added.Added, added.IndexVersion));
        Assert.Equal(before + 1, engine.UtteranceCount);

        string previous = engine.IndexVersion;
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        var reloaded = await admin.ReloadIndexAsync(null, Ct);
        Assert.Equal((previous, engine.IndexVersion, engine.UtteranceCount, engine.Catalog.Routes.Count, false),
            (reloaded.PreviousIndexVersion, reloaded.IndexVersion, reloaded.UtteranceCount, reloaded.RouteCount, reloaded.RankingSettingsChanged));
    }

    [Fact]
    public async Task Reload_OfAnIndexWithOtherRankingSettingsThanAtStart_SaysSo_AndKeepsTheSettingsItStartedWith()
    {
        using var engine = Open();
        ISemanticRouterAdmin admin = engine;

        var unchanged = await admin.ReloadIndexAsync(null, Ct);
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: new RankingSettingsFile { K = 40, FittedOn = "first" }, cancellationToken: Ct);
        var changed = await admin.ReloadIndexAsync(null, Ct);
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: new RankingSettingsFile { K = 40, FittedOn = "only the note differs" }, cancellationToken: Ct);
        var stillChanged = await admin.ReloadIndexAsync(null, Ct);
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        var backToStart = await admin.ReloadIndexAsync(null, Ct);

        Assert.False(unchanged.RankingSettingsChanged);
        Assert.True(changed.RankingSettingsChanged);
        Assert.NotEqual(changed.PreviousIndexVersion, changed.IndexVersion);
        // Compared with what the engine started on, not with the index before: the second reload still
        // serves settings that wait for a restart, and only the note differs between the two files.
        Assert.True(stillChanged.RankingSettingsChanged);
        Assert.False(backToStart.RankingSettingsChanged);
        // The engine ranks with what it started with until it restarts (the outcome store and text model were set up for them).
        Assert.Equal(RankingOptions.Default.K, engine.Settings.Options.K);
        Assert.Null(engine.IndexRankingSettings);
    }

    [Fact]
    public async Task EveryRefusal_IsARouterException_WithItsCode()
    {
        using var engine = Open();
        ISemanticRouter router = engine;
        ISemanticRouterAdmin admin = engine;
        var decision = await router.RankAsync(new RoutingRequest("translate good morning into German"), Ct);
        string model = decision.BestModel!;

        async Task Expect(RouterErrorCode code, Func<Task> call, string? says = null)
        {
            var e = await Assert.ThrowsAnyAsync<RouterException>(call);
            Assert.Equal(code, e.Code);
            if (says is not null)
            {
                Assert.Contains(says, e.Message, StringComparison.Ordinal);
            }
        }

        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest("  "), Ct), "query is empty");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest(new string('a', 20_000)), Ct), "over the limit");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest("hello") { K = 0 }, Ct), "k must be in");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest("hello") { CostWeight = -1 }, Ct), "cost weight");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest("hello") { Candidates = ["gpt-9"] }, Ct), "gpt-9");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RankAsync(new RoutingRequest("hello") { History = [new ConversationTurn("user", "")] }, Ct), "earlier turn is empty");

        await Expect(RouterErrorCode.NotFound, () => router.RecordOutcomeAsync(OutcomeReport.ForRequest("feedbeef", model, success: true), Ct));
        await Expect(RouterErrorCode.InvalidArgument, () => router.RecordOutcomeAsync(OutcomeReport.ForRequest(decision.RequestId, "no-such-model", success: true), Ct));
        await Expect(RouterErrorCode.InvalidArgument, () => router.RecordOutcomeAsync(new OutcomeReport(model, 1.5) { RequestId = decision.RequestId }, Ct));
        await Expect(RouterErrorCode.InvalidArgument, () => router.RecordOutcomeAsync(new OutcomeReport(model, 1) { RequestId = decision.RequestId, Query = "hello" }, Ct), "not both");
        await Expect(RouterErrorCode.InvalidArgument, () => router.RecordOutcomeAsync(new OutcomeReport(model, 1), Ct));
        Assert.Equal(0, engine.OutcomeCount);

        await Expect(RouterErrorCode.InvalidArgument, () => router.InspectNeighborsAsync(new InspectRequest("") { K = 3 }, Ct));
        await Expect(RouterErrorCode.NotFound, () => admin.AddUtterancesAsync("no_such_route", ["hello there"], Ct), "no_such_route");
        await Expect(RouterErrorCode.AlreadyExists, () => admin.AddUtterancesAsync("coding", [engine.Catalog["coding"].Utterances[0]], Ct));
        await Expect(RouterErrorCode.InvalidArgument, () => admin.AddUtterancesAsync("coding", [" "], Ct));
        await Expect(RouterErrorCode.InvalidArgument, () => admin.AddUtterancesAsync("", ["hello there"], Ct), "route is required");

        string version = engine.IndexVersion;
        await Expect(RouterErrorCode.NotFound, () => admin.ReloadIndexAsync(Path.Combine(_dir.Path, "missing"), Ct), "no index artefact directory");
        string corrupt = Path.Combine(_dir.Path, "corrupt");
        IndexBuilder.Build(RoutesDir, fixture.Encoder, corrupt, Hnsw, cancellationToken: Ct);
        string graph = Path.Combine(corrupt, ArtifactFiles.Graph);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(graph, bytes);
        await Expect(RouterErrorCode.FailedPrecondition, () => admin.ReloadIndexAsync(corrupt, Ct), "the old one keeps serving");
        Assert.Equal(version, engine.IndexVersion);
    }

    [Theory]
    [InlineData(OutcomeRejectionReason.UnknownRequestId, RouterErrorCode.NotFound)]
    [InlineData(OutcomeRejectionReason.UnknownModel, RouterErrorCode.InvalidArgument)]
    [InlineData(OutcomeRejectionReason.ScoreOutOfRange, RouterErrorCode.InvalidArgument)]
    [InlineData(OutcomeRejectionReason.InvalidTarget, RouterErrorCode.InvalidArgument)]
    [InlineData(OutcomeRejectionReason.QueryTextUnsupported, RouterErrorCode.FailedPrecondition)]
    [InlineData(OutcomeRejectionReason.NoNeighbors, RouterErrorCode.FailedPrecondition)]
    public void OutcomeRejection_CodeFollowsTheReason(OutcomeRejectionReason reason, RouterErrorCode code) =>
        Assert.Equal(code, new OutcomeRejectedException(reason, "refused").Code);

    [Theory]
    [InlineData(RouteEditErrorKind.UnknownRoute, RouterErrorCode.NotFound)]
    [InlineData(RouteEditErrorKind.DuplicateUtterance, RouterErrorCode.AlreadyExists)]
    [InlineData(RouteEditErrorKind.EmptyUtterance, RouterErrorCode.InvalidArgument)]
    [InlineData(RouteEditErrorKind.UnsupportedLayout, RouterErrorCode.FailedPrecondition)]
    public void RouteEditRefusal_CodeFollowsTheKind(RouteEditErrorKind kind, RouterErrorCode code) =>
        Assert.Equal(code, new RouteEditException(kind, "refused").Code);

    [Fact]
    public void QueryModelAndArtifactRefusals_HaveTheirCodes()
    {
        Assert.Equal(RouterErrorCode.InvalidArgument, new RouterQueryException(RouterQueryError.BadK, "k").Code);
        Assert.Equal(RouterErrorCode.InvalidArgument, UnknownModelException.For("m", "Candidates").Code);
        Assert.Equal(RouterErrorCode.FailedPrecondition, new ArtifactException("/x/manifest.json", "corrupt").Code);
    }

    private RouterEngine Open()
    {
        if (!Directory.Exists(RoutesDir))
        {
            _dir.CopyExampleRoutes();
        }

        if (!Directory.Exists(IndexDir))
        {
            IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        }

        return new RouterEngine(new RouterEngineOptions { IndexDirectory = IndexDir }, fixture.Encoder, fixture.Encoder.Model.Fingerprint);
    }
}
