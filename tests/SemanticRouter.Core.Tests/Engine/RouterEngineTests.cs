using SemanticRouter.Artifacts;
using SemanticRouter.Core.Tests.Embeddings;
using SemanticRouter.Engine;
using SemanticRouter.Index;
using SemanticRouter.Neighbors;
using SemanticRouter.Outcomes;
using SemanticRouter.Routes;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Engine;

public sealed class RouterEngineTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>, IDisposable
{
    private readonly TestDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Rank_CodingPrompt_MatchesCodingAndRanksItsTargets()
    {
        using var engine = Open();
        var decision = await engine.RankAsync(new EngineQuery("write a python function that reverses a linked list"), Ct);

        Assert.Equal("coding", decision.Ranking.Match?.Route);
        Assert.NotEmpty(decision.RequestId);
        Assert.Equal(engine.IndexVersion, decision.IndexVersion);
        var codingModels = engine.Catalog["coding"].Targets.Select(t => t.Model).ToHashSet();
        Assert.Contains(decision.Ranking.Models[0].Model, codingModels);
        Assert.True(decision.Ranking.Models.Zip(decision.Ranking.Models.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t")]
    public async Task Rank_EmptyQuery_Refused(string query)
    {
        using var engine = Open();
        var e = await Assert.ThrowsAsync<RouterQueryException>(() => engine.RankAsync(new EngineQuery(query), Ct));
        Assert.Equal(RouterQueryError.EmptyQuery, e.Error);
    }

    [Fact]
    public async Task Rank_OverLongQueryOrBadK_Refused()
    {
        using var engine = Open();
        var tooLong = await Assert.ThrowsAsync<RouterQueryException>(() => engine.RankAsync(new EngineQuery(new string('a', 20_000)), Ct));
        Assert.Equal(RouterQueryError.QueryTooLong, tooLong.Error);
        var badK = await Assert.ThrowsAsync<RouterQueryException>(() => engine.RankAsync(new EngineQuery("hello") { K = 0 }, Ct));
        Assert.Equal(RouterQueryError.BadK, badK.Error);
    }

    [Fact]
    public async Task RecordOutcome_ByRequestId_MovesTheModelScore_AndSurvivesReopen()
    {
        const string Query = "write a python function that reverses a linked list";
        double before;
        string loser;
        using (var engine = Open())
        {
            var first = await engine.RankAsync(new EngineQuery(Query), Ct);
            loser = first.Ranking.Models[0].Model;
            before = first.Ranking.Models[0].Score;
            for (int i = 0; i < 20; i++)
            {
                var d = await engine.RankAsync(new EngineQuery(Query), Ct);
                await engine.RecordOutcomeAsync(Outcome.ForRequest(d.RequestId, loser, success: false), Ct);
            }

            var after = await engine.RankAsync(new EngineQuery(Query), Ct);
            Assert.True(after.Ranking.Models.Single(m => m.Model == loser).Score < before - 0.1);
            Assert.Equal(20, engine.OutcomeCount);
        }

        using var reopened = Open();
        var again = await reopened.RankAsync(new EngineQuery(Query), Ct);
        Assert.True(again.Ranking.Models.Single(m => m.Model == loser).Score < before - 0.1);
    }

    [Fact]
    public async Task RecordOutcome_UnknownRequestOrModelOrScore_Rejected()
    {
        using var engine = Open();
        var d = await engine.RankAsync(new EngineQuery("translate good morning into German"), Ct);
        var unknownId = await Assert.ThrowsAsync<OutcomeRejectedException>(() => engine.RecordOutcomeAsync(Outcome.ForRequest("feedbeef", d.Ranking.Models[0].Model, true), Ct));
        Assert.Equal(OutcomeRejectionReason.UnknownRequestId, unknownId.Reason);
        var unknownModel = await Assert.ThrowsAsync<OutcomeRejectedException>(() => engine.RecordOutcomeAsync(Outcome.ForRequest(d.RequestId, "no-such-model", true), Ct));
        Assert.Equal(OutcomeRejectionReason.UnknownModel, unknownModel.Reason);
        var badScore = await Assert.ThrowsAsync<OutcomeRejectedException>(() => engine.RecordOutcomeAsync(Outcome.ForRequest(d.RequestId, d.Ranking.Models[0].Model, 1.5), Ct));
        Assert.Equal(OutcomeRejectionReason.ScoreOutOfRange, badScore.Reason);
    }

    [Fact]
    public async Task AddUtterances_SearchableAtOnce_PersistedToFileAndArtefact()
    {
        const string Utterance = "compose a limerick about a cat who learned to play the bassoon";
        using (var engine = Open())
        {
            int before = engine.UtteranceCount;
            var result = await engine.AddUtterancesAsync("creative_writing", [Utterance], Ct);
            Assert.Single(result.Added);
            Assert.Equal(before + 1, engine.UtteranceCount);
            Assert.EndsWith("+1", engine.IndexVersion, StringComparison.Ordinal);

            var inspection = await engine.InspectAsync(Utterance, 1, Ct);
            Assert.Equal(Utterance, inspection[0].Neighbor.Utterance);
            Assert.True(inspection[0].Neighbor.Similarity > 0.99f);

            await Assert.ThrowsAsync<RouteEditException>(() => engine.AddUtterancesAsync("creative_writing", [Utterance], Ct));
            var unknown = await Assert.ThrowsAsync<RouteEditException>(() => engine.AddUtterancesAsync("no_such_route", ["hello there"], Ct));
            Assert.Equal(RouteEditErrorKind.UnknownRoute, unknown.Kind);
        }

        Assert.Contains(Utterance, RouteCatalog.Load(RoutesDir)["creative_writing"].Utterances);
        var artifact = RouterArtifact.Load(IndexDir);
        Assert.Contains(artifact.Utterances, u => u.Text == Utterance);
        var rebuild = IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        Assert.True(rebuild.NoOp);
    }

    [Fact]
    public async Task RankingSettingsTheIndexCarries_RankWhenNoneAreGiven_AndGivenOnesWin()
    {
        _dir.CopyExampleRoutes();
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: new SemanticRouter.Settings.RankingSettingsFile { K = 7, TextModelWeight = 0 }, cancellationToken: Ct);
        const string Query = "write a python function that reverses a linked list";

        using (var carried = Open())
        {
            Assert.Equal(7, carried.Settings.Options.K);
            Assert.Equal(0, carried.Settings.Options.TextModelWeight);
            Assert.Equal(7, (await carried.RankAsync(new EngineQuery(Query), Ct)).Ranking.Neighbors.Count);
        }

        using var given = Open(file: new SemanticRouter.Settings.RankingSettingsFile { K = 4 });
        Assert.Equal(4, (await given.RankAsync(new EngineQuery(Query), Ct)).Ranking.Neighbors.Count);
        Assert.Equal(SemanticRouter.Ranking.RankingOptions.Default.TextModelWeight, given.Settings.Options.TextModelWeight); // a given file replaces the carried one whole, not merged
    }

    [Fact]
    public async Task AddUtterances_KeepTheRankingSettingsTheIndexCarries()
    {
        _dir.CopyExampleRoutes();
        var settings = new SemanticRouter.Settings.RankingSettingsFile { K = 7, TextModelWeight = 0 };
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: settings, cancellationToken: Ct);
        using (var engine = Open())
        {
            await engine.AddUtterancesAsync("creative_writing", ["compose a sonnet about a lighthouse keeper's cat"], Ct);
            Assert.True(SemanticRouter.Settings.RankingSettingsFile.SameSettings(settings, engine.IndexRankingSettings));
        }

        // The rewritten artefact still carries them, and `build` with them finds nothing to do.
        Assert.True(SemanticRouter.Settings.RankingSettingsFile.SameSettings(settings, RouterArtifact.Load(IndexDir).RankingSettings));
        Assert.True(IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, rankingSettings: settings, cancellationToken: Ct).NoOp);
    }

    [Fact]
    public async Task Reload_CorruptArtefact_RefusedAndOldIndexKeepsServing()
    {
        using var engine = Open();
        string version = engine.IndexVersion;
        string corrupt = Path.Combine(_dir.Path, "corrupt");
        IndexBuilder.Build(RoutesDir, fixture.Encoder, corrupt, Hnsw, cancellationToken: Ct);
        string graph = Path.Combine(corrupt, ArtifactFiles.Graph);
        byte[] bytes = File.ReadAllBytes(graph);
        bytes[100] ^= 0xff;
        File.WriteAllBytes(graph, bytes);

        await Assert.ThrowsAsync<ArtifactException>(() => engine.ReloadAsync(corrupt, Ct));
        Assert.Equal(version, engine.IndexVersion);
        var d = await engine.RankAsync(new EngineQuery("summarise this article in three bullet points"), Ct);
        Assert.Equal(version, d.IndexVersion);
    }

    [Fact]
    public async Task AddUtterances_AfterReloadingAnIndexOfOtherRouteFiles_IsRefused_TheirFilesUntouched()
    {
        using var engine = Open();
        string routes = Path.Combine(_dir.Path, "other-routes");
        Directory.CreateDirectory(routes);
        foreach (string file in Directory.GetFiles(RoutesDir, "*.yaml"))
        {
            File.Copy(file, Path.Combine(routes, Path.GetFileName(file)));
        }

        string other = Path.Combine(_dir.Path, "other-routes-index");
        IndexBuilder.Build(routes, fixture.Encoder, other, Hnsw, cancellationToken: Ct);
        string before = File.ReadAllText(Path.Combine(routes, "coding.yaml"));
        await engine.ReloadAsync(other, Ct);

        var e = await Assert.ThrowsAsync<RouterException>(() => engine.AddUtterancesAsync("coding", ["port this perl script to go"], Ct));

        Assert.Equal(RouterErrorCode.FailedPrecondition, e.Code);
        Assert.Equal(before, File.ReadAllText(Path.Combine(routes, "coding.yaml")));
        await engine.ReloadAsync(null, Ct); // back on its own index, it adds again
        Assert.Single((await engine.AddUtterancesAsync("coding", ["port this perl script to go"], Ct)).Added);
    }

    [Fact]
    public async Task Reload_ArtefactWithoutTheConfiguredFallbackRoute_RefusedAndOldIndexKeepsServing()
    {
        using var engine = Open(new SemanticRouter.Settings.RankingOverrides { FallbackRoute = "chitchat", DefaultThreshold = 0.99 });
        string version = engine.IndexVersion;
        var before = await engine.RankAsync(new EngineQuery("what is the capital of mongolia and its population"), Ct);
        Assert.True(before.Ranking.IsAbstained);
        Assert.Equal("chitchat", before.Ranking.FallbackRoute);

        string routes = Path.Combine(_dir.Path, "no-chitchat");
        Directory.CreateDirectory(routes);
        foreach (string file in Directory.GetFiles(RoutesDir).Where(f => Path.GetFileName(f) != "conversation.yaml"))
        {
            File.Copy(file, Path.Combine(routes, Path.GetFileName(file)));
        }

        string other = Path.Combine(_dir.Path, "other-index");
        IndexBuilder.Build(routes, fixture.Encoder, other, Hnsw, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<ArtifactException>(() => engine.ReloadAsync(other, Ct));
        Assert.Contains("chitchat", e.Message, StringComparison.Ordinal);
        Assert.Equal(version, engine.IndexVersion);
        var after = await engine.RankAsync(new EngineQuery("what is the capital of mongolia and its population"), Ct);
        Assert.Equal(version, after.IndexVersion);
        Assert.Equal("chitchat", after.Ranking.FallbackRoute);
    }

    [Fact]
    public async Task Reload_RebuiltArtefact_SwapsVersionWhileQueriesRun()
    {
        using var engine = Open();
        string before = engine.IndexVersion;
        using var stop = new CancellationTokenSource();
        int failures = 0, calls = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await engine.RankAsync(new EngineQuery("what's the integral of sin x"), Ct);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }, Ct);

        RouteFileEditor.AddUtterance(RoutesDir, "maths", "show that there are infinitely many prime numbers of the form 4k+3");
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        string after = await engine.ReloadAsync(cancellationToken: Ct);
        await Task.Delay(200, Ct);
        await stop.CancelAsync();
        await load;

        Assert.NotEqual(before, after);
        Assert.Equal(after, engine.IndexVersion);
        Assert.Equal(0, failures);
        Assert.True(calls > 0);
    }

    private static readonly HnswOptions Hnsw = new() { M = 8, EfConstruction = 64, Seed = 3 };

    private string RoutesDir => Path.Combine(_dir.Path, "routes");

    private string IndexDir => Path.Combine(_dir.Path, "index");

    [Fact]
    public async Task TextModel_LearnsFromQueryTextOutcomes_AndIsRefittedAfterRestart()
    {
        // gpt-4o-mini fails every SQL question and passes every shell question: words the text model can see.
        var fits = new System.Collections.Concurrent.ConcurrentQueue<TextModelFit>();
        using (var engine = Open(textModel: new() { MinOutcomes = 10, Threads = 1 }, fitted: fits.Enqueue))
        {
            Assert.Equal(0, engine.TextModelOutcomes);
            for (int i = 0; i < 12; i++)
            {
                await engine.RecordOutcomeAsync(Outcome.ForQuery($"write an sql query that joins table {i} with orders", "gpt-4o-mini", success: false), Ct);
                await engine.RecordOutcomeAsync(Outcome.ForQuery($"write a bash script that renames file {i}", "gpt-4o-mini", success: true), Ct);
            }

            await engine.RefitTextModelAsync();
            Assert.Equal(24, engine.TextModelOutcomes);
            Assert.Equal((24, 1), (fits.Last().Outcomes, fits.Last().Models));
            var sql = Mini(await engine.RankAsync(new EngineQuery("write an sql query that counts orders per customer"), Ct));
            var bash = Mini(await engine.RankAsync(new EngineQuery("write a bash script that renames every file"), Ct));
            Assert.True(sql.TextEstimate < 0.35, $"sql: {sql.TextEstimate}");
            Assert.True(bash.TextEstimate > 0.65, $"bash: {bash.TextEstimate}");
            Assert.True(sql.Quality < bash.Quality);
        }

        using var reopened = Open(textModel: new() { MinOutcomes = 10, Threads = 1 });
        await reopened.TextModelReady;
        Assert.Equal(24, reopened.TextModelOutcomes);
        Assert.True(Mini(await reopened.RankAsync(new EngineQuery("write an sql query that counts orders per customer"), Ct)).TextEstimate < 0.35);

        static SemanticRouter.Ranking.RankedModel Mini(EngineDecision d) => d.Ranking.Models.Single(m => m.Model == "gpt-4o-mini");
    }

    [Fact]
    public async Task TextModel_FollowUp_TakesTheEstimateOfItsConversation()
    {
        using var engine = Open(textModel: new() { MinOutcomes = 10, Threads = 1 });
        for (int i = 0; i < 12; i++)
        {
            await engine.RecordOutcomeAsync(Outcome.ForQuery($"write an sql query that joins table {i} with orders", "gpt-4o-mini", success: false), Ct);
            await engine.RecordOutcomeAsync(Outcome.ForQuery($"write a bash script that renames file {i}", "gpt-4o-mini", success: true), Ct);
        }

        await engine.RefitTextModelAsync();
        var alone = Mini(await engine.RankAsync(new EngineQuery("and make it faster"), Ct)).TextEstimate;
        var afterSql = Mini(await engine.RankAsync(new EngineQuery("and make it faster") { EarlierTurns = ["write an sql query that counts orders per customer"] }, Ct)).TextEstimate;
        var afterBash = Mini(await engine.RankAsync(new EngineQuery("and make it faster") { EarlierTurns = ["write a bash script that renames every file"] }, Ct)).TextEstimate;
        Assert.True(afterSql < alone && alone < afterBash, $"text estimate after sql {afterSql}, alone {alone}, after bash {afterBash}");

        static SemanticRouter.Ranking.RankedModel Mini(EngineDecision d) => d.Ranking.Models.Single(m => m.Model == "gpt-4o-mini");
    }

    [Fact]
    public async Task TextModel_OutcomesByRequestIdCarryTheRankedText()
    {
        using var engine = Open(textModel: new() { MinOutcomes = 10, Threads = 1 });
        for (int i = 0; i < 10; i++)
        {
            var d = await engine.RankAsync(new EngineQuery($"refactor this java class number {i}"), Ct);
            await engine.RecordOutcomeAsync(Outcome.ForRequest(d.RequestId, "gpt-4o", success: true), Ct);
        }

        await engine.RefitTextModelAsync();
        Assert.Equal(10, engine.TextModelOutcomes);
        var next = await engine.RankAsync(new EngineQuery("refactor this java class"), Ct);
        Assert.NotNull(next.Ranking.Models.Single(m => m.Model == "gpt-4o").TextEstimate);
    }

    [Fact]
    public async Task TextModel_RefitsByItselfAsTextOutcomesAccumulate()
    {
        using var engine = Open(textModel: new() { MinOutcomes = 10, Threads = 1 });
        for (int i = 0; i < 100 /* TextModelTrainer.RefitMinimum */; i++)
        {
            await engine.RecordOutcomeAsync(Outcome.ForQuery($"explain this python traceback {i}", "gpt-4o", success: i % 2 == 0), Ct);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (engine.TextModelOutcomes == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal(100 /* TextModelTrainer.RefitMinimum */, engine.TextModelOutcomes);
    }

    [Fact]
    public async Task TextModel_WeightZero_IsNeverFitted()
    {
        using var engine = Open(new SemanticRouter.Settings.RankingOverrides { TextModelWeight = 0 }, new() { MinOutcomes = 1 });
        await engine.RecordOutcomeAsync(Outcome.ForQuery("write an sql query", "gpt-4o-mini", success: false), Ct);
        await engine.RefitTextModelAsync();
        Assert.Equal(0, engine.TextModelOutcomes);
        var d = await engine.RankAsync(new EngineQuery("write an sql query"), Ct);
        Assert.All(d.Ranking.Models, m => Assert.Null(m.TextEstimate));
    }

    [Fact]
    public async Task AnotherOutcomeStore_GetsTheCreditsTheEngineComputed_AndFeedsTheRanking()
    {
        // The seam for a store shared by replicas: the engine credits, the store only records and counts.
        _dir.CopyExampleRoutes();
        IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        var store = new RecordingStore();
        using var engine = new RouterEngine(new RouterEngineOptions { IndexDirectory = IndexDir, OpenOutcomeStore = () => store }, fixture.Encoder, fixture.Encoder.Model.Fingerprint);
        const string Query = "write a python function that reverses a linked list";
        var decision = await engine.RankAsync(new EngineQuery(Query), Ct);
        var model = decision.Ranking.Models[0].Model;

        await engine.RecordOutcomeAsync(Outcome.ForRequest(decision.RequestId, model, success: false), Ct);

        var recorded = Assert.Single(store.Recorded);
        var expected = OutcomeCrediting.FromRanking(decision.Ranking);
        Assert.Equal(expected.Utterances, recorded.Credits.Utterances);
        Assert.Equal(expected.Routes, recorded.Credits.Routes);
        Assert.Equal(1, engine.OutcomeCount);
        var after = await engine.RankAsync(new EngineQuery(Query), Ct);
        Assert.True(after.Ranking.Models.Single(m => m.Model == model).Quality < decision.Ranking.Models[0].Quality);
    }

    /// <summary>An <see cref="IOutcomeStore"/> in memory: what a store must do, and nothing durable.</summary>
    private sealed class RecordingStore : IOutcomeStore
    {
        private readonly OutcomeStatistics _statistics = new();

        public List<CreditedOutcome> Recorded { get; } = [];

        public long Count => Recorded.Count;

        public long TextCount => Recorded.Count(r => r.Outcome.QueryText is not null || r.Credits.QueryText is not null);

        public SuccessCounts ForUtterance(UtteranceKey utterance, string model) => _statistics.ForUtterance(utterance, model);

        public SuccessCounts ForRoute(string route, string model) => _statistics.ForRoute(route, model);

        public IReadOnlyList<RouteModelCounts> RouteCounts() => _statistics.RouteCounts();

        public Task<IReadOnlyList<StoredOutcome>> RecordAsync(IReadOnlyList<CreditedOutcome> outcomes, CancellationToken cancellationToken = default)
        {
            var stored = new List<StoredOutcome>();
            foreach (var (outcome, credits) in outcomes)
            {
                Recorded.Add(new CreditedOutcome(outcome, credits));
                _statistics.Apply(outcome.Model, outcome.Score, credits);
                stored.Add(new StoredOutcome(Recorded.Count, DateTimeOffset.UnixEpoch, outcome.RequestId, outcome.QueryText ?? credits.QueryText, outcome.Model, outcome.Score, credits));
            }

            return Task.FromResult<IReadOnlyList<StoredOutcome>>(stored);
        }

        public Task<StoredOutcome?> FindAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
            Task.FromResult<StoredOutcome?>(null);

        public Task<IReadOnlyList<TextOutcome>> ReadTextOutcomesAsync(int newest, long maxTextChars, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<TextOutcome>>([.. Recorded.Where(r => (r.Outcome.QueryText ?? r.Credits.QueryText) is not null).TakeLast(newest)
                .Select(r => new TextOutcome((r.Outcome.QueryText ?? r.Credits.QueryText)!, r.Outcome.Model, r.Outcome.Score))]);

        public void Dispose()
        {
        }
    }

    private RouterEngine Open(SemanticRouter.Settings.RankingOverrides? overrides = null, SemanticRouter.Ranking.TextOutcomeModelOptions? textModel = null, Action<TextModelFit>? fitted = null, SemanticRouter.Settings.RankingSettingsFile? file = null)
    {
        if (!Directory.Exists(RoutesDir))
        {
            _dir.CopyExampleRoutes();

            IndexBuilder.Build(RoutesDir, fixture.Encoder, IndexDir, Hnsw, cancellationToken: Ct);
        }

        return new RouterEngine(new RouterEngineOptions { IndexDirectory = IndexDir, RankingOverrides = overrides, RankingSettings = file, TextModel = textModel, OnTextModelFitted = fitted }, fixture.Encoder, fixture.Encoder.Model.Fingerprint);
    }
}

public class RouterEngineOptionsTests
{
    [Theory]
    [InlineData("/data/index")]
    [InlineData("/data/index/")]
    [InlineData("/data/index//")]
    public void DefaultOutcomeDatabase_IsBesideTheArtefactNeverInsideIt(string index) =>
        Assert.Equal("/data/index.outcomes.db", RouterEngineOptions.DefaultOutcomeDatabase(index));
}
