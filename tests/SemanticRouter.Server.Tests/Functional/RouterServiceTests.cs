using Google.Protobuf;
using Grpc.Core;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Functional;

/// <summary>Every RPC and every bad input of the contract; run in-process and on real Kestrel.</summary>
public abstract class RouterServiceTests
{
    protected abstract bool InProcess { get; }

    private Task<TestHost> StartAsync(Dictionary<string, string?>? settings = null, FakeRouter? router = null) =>
        TestHost.StartAsync(InProcess, settings, router);

    private static async Task AssertGoodCallAsync(Router.RouterClient client, Metadata? headers = null)
    {
        var response = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function" }, headers, Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal("coder", response.Models[0].Model);
    }

    private static async Task<RpcException> AssertStatusAsync<T>(AsyncUnaryCall<T> call, StatusCode code, string? messageContains = null)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
        Assert.True(code == ex.StatusCode, $"expected {code}, got {ex.Status}");
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, ex.Status.Detail, StringComparison.Ordinal);
        }

        return ex;
    }

    [Fact]
    public async Task RankModels_GoodQuery_ReturnsSortedModelsWithRouteAndVersion()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var response = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function", IncludeNeighbors = true, K = 3 }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();

        Assert.StartsWith("req-", response.RequestId, StringComparison.Ordinal);
        Assert.Equal(["coder", "large", "small"], response.Models.Select(m => m.Model));
        Assert.True(response.Models.Zip(response.Models.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.Equal(["code"], response.Models[0].SupportingRoutes);
        Assert.Equal("code", response.Match.Route);
        Assert.False(response.Match.Abstained);
        Assert.Equal(3, response.Neighbors.Count);
        Assert.Equal("write a python function", response.Neighbors[0].Utterance);
        Assert.Equal("v1", response.IndexVersion);
    }

    [Fact]
    public async Task RankModels_FiltersHistoryCostAndMetadata_ReachTheEngine()
    {
        await using var host = await StartAsync();
        RoutingRequest? seen = null;
        host.Router.OnRank = (q, _) =>
        {
            seen = q;
            return Task.FromResult(host.Router.Rank(q));
        };
        var request = new RankModelsRequest { Query = "and in python?", Candidates = { "coder", "small" }, Excluded = { "small" }, CostWeight = 0.5, K = 0 };
        request.History.Add(new Turn { Role = "user", Text = "how do I sort a list" });
        request.Metadata["tenant"] = "acme";
        var response = await host.CreateClient().RankModelsAsync(request, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();

        Assert.Equal(["coder"], response.Models.Select(m => m.Model));
        Assert.Empty(response.Neighbors);
        Assert.NotNull(seen);
        Assert.Null(seen.K); // k = 0: the router's default, which the router resolves
        Assert.Equal(0.5, seen.CostWeight);
        Assert.Equal("how do I sort a list", Assert.Single(seen.History).Text);
        Assert.Equal("acme", seen.Metadata["tenant"]);
    }

    [Fact]
    public async Task RankModels_Abstention_IsAValue()
    {
        await using var host = await StartAsync();
        var response = await host.CreateClient().RankModelsAsync(new RankModelsRequest { Query = "the weather on mars" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.True(response.Match.Abstained);
        Assert.Equal("chat", response.Match.FallbackRoute);
    }

    [Theory]
    [InlineData("", "query must not be empty or whitespace.")]
    [InlineData("   \t\n", "query must not be empty or whitespace.")]
    public async Task RankModels_EmptyQuery_InvalidArgument(string query, string message)
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ex = await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = query }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument);
        Assert.Equal(message, ex.Status.Detail);
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_QueryOverLimit_InvalidArgument()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ex = await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = new string('a', 16 * 1024 + 1) }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument);
        Assert.Equal("query is 16385 bytes of UTF-8; the limit is 16384.", ex.Status.Detail);
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_MessageOverReceiveLimit_ResourceExhausted()
    {
        await using var host = await StartAsync(new() { ["MaxReceiveMessageSize"] = "65536" });
        var client = host.CreateClient();
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = new string('a', 100_000) }, deadline: Timeouts.Deadline),
            StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size.");
        await AssertGoodCallAsync(client);
    }

    [Theory]
    [InlineData(-1, "k must be ≥ 1 (or 0 for the router's default), not -1.")]
    [InlineData(1001, "k must be at most 1000, not 1001.")]
    [InlineData(int.MaxValue, "k must be at most 1000, not 2147483647.")]
    public async Task RankModels_KOutOfRange_InvalidArgument(int k, string message)
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ex = await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello", K = k }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument);
        Assert.Equal(message, ex.Status.Detail);
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_UnknownModelInFilter_InvalidArgument()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ex = await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello", Candidates = { "gpt-9" } }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument);
        Assert.Equal("candidates names an unknown model 'gpt-9'; known models: coder, large, small.", ex.Status.Detail);
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello", Excluded = { "nope" } }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument, "excluded names an unknown model 'nope'");
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello", Candidates = { "" } }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument, "candidates[0] must not be empty.");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_NegativeCostWeight_InvalidArgument()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello", CostWeight = -1 }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument, "cost_weight must be a finite number ≥ 0, not -1.");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_ExpiredDeadline_DeadlineExceededAndEngineCancelled()
    {
        await using var host = await StartAsync();
        var engineCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Router.OnRank = async (q, ct) =>
        {
            if (q.Query != "slow")
            {
                return host.Router.Rank(q);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                engineCancelled.TrySetResult();
                throw;
            }

            throw new InvalidOperationException("unreachable");
        };
        var client = host.CreateClient();
        var call = client.RankModelsAsync(new RankModelsRequest { Query = "slow" }, deadline: DateTime.UtcNow.AddMilliseconds(300));
        if (InProcess)
        {
            // TestServer surfaces grpc-dotnet's stream reset after the DEADLINE_EXCEEDED trailers as a
            // client-side exception when the server's timer fires first; Kestrel (below) shows the
            // real wire behaviour.
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WithTimeout());
            Assert.True(ex.StatusCode == StatusCode.DeadlineExceeded || ex.Status.Detail.Contains("HttpResetTestException", StringComparison.Ordinal), ex.Status.ToString());
        }
        else
        {
            await AssertStatusAsync(call, StatusCode.DeadlineExceeded);
        }

        await engineCancelled.Task.WithTimeout();
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_ClientCancels_EngineTokenFires()
    {
        await using var host = await StartAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var engineCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.Router.OnRank = async (q, ct) =>
        {
            if (q.Query != "slow")
            {
                return host.Router.Rank(q);
            }

            started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                engineCancelled.TrySetResult();
                throw;
            }

            throw new InvalidOperationException("unreachable");
        };
        var client = host.CreateClient();
        using var cts = new CancellationTokenSource();
        var call = client.RankModelsAsync(new RankModelsRequest { Query = "slow" }, cancellationToken: cts.Token);
        await started.Task.WithTimeout();
        await cts.CancelAsync();
        await AssertStatusAsync(call, StatusCode.Cancelled);
        await engineCancelled.Task.WithTimeout();
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_EngineThrowsUnexpectedly_InternalWithoutDetails()
    {
        await using var host = await StartAsync();
        host.ExpectErrors();
        host.Router.OnRank = (q, _) => q.Query == "boom" ? throw new InvalidOperationException("secret internal state") : Task.FromResult(host.Router.Rank(q));
        var client = host.CreateClient();
        var ex = await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "boom" }, deadline: Timeouts.Deadline), StatusCode.Internal);
        Assert.DoesNotContain("secret", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 3 && e.Exception is InvalidOperationException);
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RankModels_EngineNotReady_Unavailable()
    {
        await using var host = await StartAsync();
        host.Router.OnRank = (q, _) => q.Query == "early" ? throw new RouterException(RouterErrorCode.Unavailable, "No index is loaded yet.") : Task.FromResult(host.Router.Rank(q));
        var client = host.CreateClient();
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "early" }, deadline: Timeouts.Deadline), StatusCode.Unavailable, "No index is loaded yet.");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task RecordOutcome_ByRequestIdAndByQuery_Acknowledged()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = "hello there" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        var ack = await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Success = true }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.True(ack.Durable);
        Assert.Equal(ranked.RequestId, ack.RequestId);
        var byQuery = await client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "hello there", Model = "large", Score = 0.25 }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.True(byQuery.Durable);
        Assert.Collection(host.Router.Outcomes,
            o => Assert.Equal((ranked.RequestId, "small", 1.0), (o.RequestId, o.Model, o.Score)),
            o => Assert.Equal(("hello there", "large", 0.25), (o.Query, o.Model, o.Score)));
    }

    [Fact]
    public async Task RecordOutcome_BadInputs_PreciseStatus()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = "hello there" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();

        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = "req-999", Model = "small", Success = true }, deadline: Timeouts.Deadline),
            StatusCode.NotFound, "request_id 'req-999' is unknown or has expired; send the query instead.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "gpt-9", Success = true }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "model names an unknown model 'gpt-9'");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Score = 1.5 }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "score must be in [0, 1], not 1.5.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Score = -0.1 }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "score must be in [0, 1], not -0.1.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Score = double.NaN }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "score must be in [0, 1], not NaN.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { Model = "small", Success = true }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "Either request_id or query is required.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small" }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "Either success or score is required.");
        await AssertStatusAsync(client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Success = false }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "model is required.");
        Assert.Empty(host.Router.Outcomes);

        var ack = await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Score = 1.0 }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.True(ack.Durable);
    }

    [Fact]
    public async Task InspectNeighbors_ReturnsNeighboursWithModelStats()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var response = await client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = "fix this code", K = 2 }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(2, response.Neighbors.Count);
        Assert.Equal("fix this code", response.Neighbors[0].Utterance);
        Assert.Equal("code", response.Neighbors[0].Route);
        Assert.Equal(1.0, response.Neighbors[0].Similarity);
        Assert.Equal(["coder", "small"], response.Neighbors[0].Models.Select(m => m.Model));
        Assert.Equal(0.7, response.Neighbors[0].Models[0].Estimate);
        Assert.Equal("code", response.Match.Route);

        await AssertStatusAsync(client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = " " }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument, "query must not be empty or whitespace.");
        await AssertStatusAsync(client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = "x", K = 1001 }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument, "k must be at most 1000, not 1001.");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task ListRoutes_ListsRoutes()
    {
        await using var host = await StartAsync();
        var response = await host.CreateClient().ListRoutesAsync(new ListRoutesRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(["chat", "code"], response.Routes.Select(r => r.Name));
        Assert.Equal(3, response.Routes[1].UtteranceCount);
        Assert.Equal(["coder", "large"], response.Routes[1].Models);
        Assert.Equal("v1", response.IndexVersion);
    }

    [Fact]
    public async Task AddUtterances_AddsAndBadInputsArePrecise()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var added = await client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code", Utterances = { "refactor this class" } }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(1, added.Added);
        Assert.Equal("v2", added.IndexVersion);
        var neighbors = await client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = "refactor this class", K = 1 }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal("refactor this class", neighbors.Neighbors[0].Utterance);

        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "nope", Utterances = { "x" } }, deadline: Timeouts.Deadline),
            StatusCode.NotFound, "route 'nope' does not exist.");
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code", Utterances = { "fix this code" } }, deadline: Timeouts.Deadline),
            StatusCode.AlreadyExists, "route 'code' already has the utterance \"fix this code\".");
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code", Utterances = { "new one", "new one" } }, deadline: Timeouts.Deadline),
            StatusCode.AlreadyExists, "utterances[1] is given twice in the request");
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code" }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "utterances must hold at least one utterance.");
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code", Utterances = { " " } }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "utterances[0] must not be empty or whitespace.");
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Utterances = { "x" } }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "route is required.");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task ReloadIndex_SwapsAndCorruptArtefactKeepsOldIndex()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        var reloaded = await client.ReloadIndexAsync(new ReloadIndexRequest { Path = "/tmp/index-good" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(("v2", "v1", 6, 2), (reloaded.IndexVersion, reloaded.PreviousIndexVersion, reloaded.UtteranceCount, reloaded.RouteCount));

        await AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest { Path = "/tmp/index-corrupt" }, deadline: Timeouts.Deadline),
            StatusCode.FailedPrecondition, "index artefact 'index-corrupt' is corrupt: vectors.bin checksum mismatch."); // relative to the index root (/tmp here)
        await AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest { Path = "/tmp/index-missing" }, deadline: Timeouts.Deadline),
            StatusCode.NotFound, "does not exist.");
        await AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest { Path = "bad\0path" }, deadline: Timeouts.Deadline),
            StatusCode.InvalidArgument, "path contains characters");

        var after = await client.RankModelsAsync(new RankModelsRequest { Query = "hello" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal("v2", after.IndexVersion); // the old (pre-corrupt) index keeps serving
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 6);
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == 11);
    }

    [Fact]
    public async Task ReloadIndex_WithOtherRankingSettings_ServesItAndWarnsTheyApplyAtTheNextStart()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();

        var reloaded = await client.ReloadIndexAsync(new ReloadIndexRequest { Path = "/tmp/index-other-settings" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();

        Assert.Equal("v2", reloaded.IndexVersion);
        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 11);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.Contains("/tmp/index-other-settings (version v2) carries other ranking settings", warning.Message, StringComparison.Ordinal);
        Assert.Contains("until it restarts", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReloadIndex_UnderLoad_NoCallFails()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var failures = 0;
        var calls = 0;
        var load = Enumerable.Range(0, 8).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var r = await client.RankModelsAsync(new RankModelsRequest { Query = "fix this code", IncludeNeighbors = true }, deadline: Timeouts.Deadline).ResponseAsync;
                    Assert.NotEmpty(r.Neighbors);
                    Interlocked.Increment(ref calls);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }).ToList();
        var reloads = 0;
        while (!stop.IsCancellationRequested)
        {
            await client.ReloadIndexAsync(new ReloadIndexRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
            reloads++;
        }

        await Task.WhenAll(load).WithTimeout();
        Assert.Equal(0, failures);
        Assert.True(calls > 50, $"only {calls} calls");
        Assert.True(reloads > 5, $"only {reloads} reloads");
    }

    [Fact]
    public async Task AdminRpcs_NeedTheAdminKey_TheApiKeyIsNotEnough_TheAdminKeyQueriesToo()
    {
        const string apiKey = "0123456789abcdef-query-key";
        const string adminKey = "0123456789abcdef-admin-key";
        await using var host = await StartAsync(new() { ["ApiKey"] = apiKey, ["AdminKey"] = adminKey, ["AllowAdminWithoutKey"] = "false" });
        var client = host.CreateClient();
        Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };
        var add = new AddUtterancesRequest { Route = "code", Utterances = { "port this to rust" } };

        await AssertStatusAsync(client.AddUtterancesAsync(add, deadline: Timeouts.Deadline),
            StatusCode.Unauthenticated, "AddUtterances needs the admin key: send 'authorization: Bearer <admin key>'.");
        await AssertStatusAsync(client.AddUtterancesAsync(add, Bearer(apiKey), Timeouts.Deadline),
            StatusCode.PermissionDenied, "AddUtterances needs the admin key; the API key does not allow it.");
        await AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest(), Bearer("not-the-admin-key-0123"), Timeouts.Deadline),
            StatusCode.Unauthenticated, "invalid admin key.");
        Assert.Equal(0, host.Router.AddCalls);

        var added = await client.AddUtterancesAsync(add, Bearer(adminKey), Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(1, added.Added);
        await client.ReloadIndexAsync(new ReloadIndexRequest(), Bearer(adminKey), Timeouts.Deadline).ResponseAsync.WithTimeout();
        await AssertGoodCallAsync(client, Bearer(adminKey)); // the admin key queries too
        await AssertGoodCallAsync(client, Bearer(apiKey));
    }

    [Fact]
    public async Task AdminRpcs_WithoutAnAdminKey_AreDisabled()
    {
        await using var host = await StartAsync(new() { ["AllowAdminWithoutKey"] = "false" });
        var client = host.CreateClient();
        await AssertStatusAsync(client.AddUtterancesAsync(new AddUtterancesRequest { Route = "code", Utterances = { "x" } }, deadline: Timeouts.Deadline),
            StatusCode.PermissionDenied, "AddUtterances is disabled: no admin key is configured (SemanticRouter:AdminKey).");
        await AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest(), deadline: Timeouts.Deadline),
            StatusCode.PermissionDenied, "ReloadIndex is disabled: no admin key is configured (SemanticRouter:AdminKey).");
        await AssertGoodCallAsync(client);
    }

    [Fact]
    public async Task Keys_AreCheckedBeforeTheMessageIsRead()
    {
        await using var host = await StartAsync(new() { ["ApiKey"] = "0123456789abcdef-query-key", ["AllowAdminWithoutKey"] = "false", ["AdminKey"] = "0123456789abcdef-admin-key" });
        var invoker = host.CreateChannel().CreateCallInvoker();
        var bytes = Marshallers.Create<byte[]>(b => b, b => b);
        foreach (var name in new[] { "RankModels", "AddUtterances" })
        {
            var method = new Method<byte[], byte[]>(MethodType.Unary, "semantic_router.v1.Router", name, bytes, bytes);
            // Not a protobuf message: had it been parsed, the answer would be INVALID_ARGUMENT.
            var call = invoker.AsyncUnaryCall(method, null, new CallOptions(deadline: Timeouts.Deadline), [0xFF, 0xFF, 0xFF, 0xFF]);
            await AssertStatusAsync(call, StatusCode.Unauthenticated);
        }
    }

    [Fact]
    public async Task ReloadIndex_OnlyFromUnderTheIndexRoot_SaysNothingOfWhatIsOutside()
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"index-root-{Guid.NewGuid():N}"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "good"));
            File.CreateSymbolicLink(Path.Combine(root.FullName, "escape"), "/etc");
            var inner = Directory.CreateDirectory(Path.Combine(root.FullName, "sneaky"));
            File.CreateSymbolicLink(Path.Combine(inner.FullName, "manifest.json"), "/etc/hostname");
            await using var host = await StartAsync(new() { ["IndexRoot"] = root.FullName });
            var client = host.CreateClient();
            Task<RpcException> Reload(string path, StatusCode code, string message) =>
                AssertStatusAsync(client.ReloadIndexAsync(new ReloadIndexRequest { Path = path }, deadline: Timeouts.Deadline), code, message);

            await Reload("/etc", StatusCode.PermissionDenied, "path '/etc' is outside the index root; ReloadIndex loads only from under it.");
            await Reload("/no/such/dir", StatusCode.PermissionDenied, "path '/no/such/dir' is outside the index root"); // the same answer: nothing about existence
            await Reload("../../etc", StatusCode.PermissionDenied, "is outside the index root");
            await Reload("escape", StatusCode.PermissionDenied, "path 'escape' leads outside the index root (a symbolic link)");
            await Reload("sneaky", StatusCode.PermissionDenied, "'sneaky/manifest.json' is a symbolic link that leads outside the index root.");
            var long_ = await Reload("/" + new string('a', 5000), StatusCode.PermissionDenied, "… (5001 chars)");
            Assert.True(long_.Status.Detail.Length < 200, long_.Status.Detail);
            var good = await client.ReloadIndexAsync(new ReloadIndexRequest { Path = "good" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
            Assert.Equal("v2", good.IndexVersion);
            Assert.Equal(Path.Combine(root.FullName, "good"), host.Router.LastReloadPath);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ApiKey_MissingOrWrong_Unauthenticated_HealthExempt()
    {
        const string key = "0123456789abcdef-secret";
        await using var host = await StartAsync(new() { ["ApiKey"] = key });
        var client = host.CreateClient();
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello" }, deadline: Timeouts.Deadline),
            StatusCode.Unauthenticated, "missing authorization metadata; send 'authorization: Bearer <api key>'.");
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello" }, new Metadata { { "authorization", "Bearer wrong-key" } }, Timeouts.Deadline),
            StatusCode.Unauthenticated, "invalid API key.");
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "hello" }, new Metadata { { "authorization", "Basic abc" } }, Timeouts.Deadline),
            StatusCode.Unauthenticated, "authorization metadata must be 'Bearer <api key>'.");
        await AssertStatusAsync(client.ListRoutesAsync(new ListRoutesRequest(), deadline: Timeouts.Deadline), StatusCode.Unauthenticated);

        await AssertGoodCallAsync(client, new Metadata { { "authorization", "Bearer " + key } });
        var health = new global::Grpc.Health.V1.Health.HealthClient(host.CreateChannel());
        var status = await health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
    }

    [Fact]
    public async Task UnknownMethodAndService_Unimplemented()
    {
        await using var host = await StartAsync();
        var invoker = host.CreateChannel().CreateCallInvoker();
        var marshaller = Marshallers.Create<byte[]>(b => b, b => b);
        foreach (var (service, method) in new[] { ("semantic_router.v1.Router", "Nope"), ("nope.v1.Nope", "Call") })
        {
            var descriptor = new Method<byte[], byte[]>(MethodType.Unary, service, method, marshaller, marshaller);
            var ex = await Assert.ThrowsAsync<RpcException>(() => invoker.AsyncUnaryCall(descriptor, null, new CallOptions(deadline: Timeouts.Deadline), []).ResponseAsync.WithTimeout());
            Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        }

        await AssertGoodCallAsync(new Router.RouterClient(invoker));
    }

    [Fact]
    public async Task MalformedProtobuf_InvalidArgument_ServerKeepsServing()
    {
        await using var host = await StartAsync();
        using var http = host.CreateHttpClient(host.GrpcAddress);
        using var request = GrpcRequest("/semantic_router.v1.Router/RankModels", Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])); // invalid tag bytes
        using var response = await http.SendAsync(request).WithTimeout();
        await response.Content.ReadAsByteArrayAsync().WithTimeout();
        Assert.Equal("3 The request bytes are not a valid semantic_router.v1.RankModelsRequest protobuf message.", GrpcStatus(response));
        await AssertGoodCallAsync(host.CreateClient());
    }

    [Fact]
    public async Task GzipRequestAndResponse_Accepted()
    {
        await using var host = await StartAsync(new() { ["ResponseCompression"] = "gzip" });
        var client = host.CreateClient();
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } };
        var response = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function " + new string('x', 2000) }, headers, Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal("coder", response.Models[0].Model);

        // The same on the wire: a gzip-compressed request frame, and a gzip-compressed response.
        using var http = host.CreateHttpClient(host.GrpcAddress);
        var payload = new RankModelsRequest { Query = "write a python function" }.ToByteArray();
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload);
        }

        using var raw = GrpcRequest("/semantic_router.v1.Router/RankModels", Frame(compressed.ToArray(), compressed: true));
        raw.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        raw.Headers.TryAddWithoutValidation("grpc-accept-encoding", "gzip");
        using var reply = await http.SendAsync(raw).WithTimeout();
        var body = await reply.Content.ReadAsByteArrayAsync().WithTimeout();
        Assert.Equal("0", GrpcStatus(reply));
        Assert.Equal("gzip", reply.Headers.GetValues("grpc-encoding").Single());
        Assert.Equal(1, body[0]); // compressed flag
        using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(body, 5, body.Length - 5), System.IO.Compression.CompressionMode.Decompress);
        var decoded = RankModelsResponse.Parser.ParseFrom(unzip);
        Assert.Equal("coder", decoded.Models[0].Model);
    }

    private static byte[] Frame(byte[] message, bool compressed = false)
    {
        var frame = new byte[message.Length + 5];
        frame[0] = compressed ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private static HttpRequestMessage GrpcRequest(string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = new Version(2, 0),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        return request;
    }

    private static string GrpcStatus(HttpResponseMessage response)
    {
        var headers = response.TrailingHeaders.Contains("grpc-status") ? (System.Net.Http.Headers.HttpHeaders)response.TrailingHeaders : response.Headers;
        var message = headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.Single()) : "";
        return headers.GetValues("grpc-status").Single() + (message.Length > 0 ? " " + message : "");
    }

    [Fact]
    public async Task Health_ServingWhenReady_NotServingOtherwise()
    {
        await using var host = await StartAsync();
        host.ExpectError(e => e.Category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal)); // logs Unhealthy as an error
        var health = new global::Grpc.Health.V1.Health.HealthClient(host.CreateChannel());
        var overall = await health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, overall.Status);
        host.Readiness.MarkNotReady("shutting down");
        var router = await health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest { Service = "semantic_router.v1.Router" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, router.Status);
    }

    [Fact]
    public async Task Reflection_V1AndV1Alpha_ListTheRouterService()
    {
        await using var host = await StartAsync();
        var channel = host.CreateChannel();

        using (var v1 = new global::Grpc.Reflection.V1.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: Timeouts.Deadline))
        {
            await v1.RequestStream.WriteAsync(new global::Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" }).WithTimeout();
            await v1.RequestStream.CompleteAsync().WithTimeout();
            Assert.True(await v1.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
            var names = v1.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
            Assert.Contains("semantic_router.v1.Router", names);
            Assert.Contains("grpc.health.v1.Health", names);
            await DrainAsync(v1.ResponseStream);
        }

        using var alpha = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: Timeouts.Deadline);
        await alpha.RequestStream.WriteAsync(new global::Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileContainingSymbol = "semantic_router.v1.Router" }).WithTimeout();
        await alpha.RequestStream.CompleteAsync().WithTimeout();
        Assert.True(await alpha.ResponseStream.MoveNext(CancellationToken.None).WithTimeout());
        Assert.NotEmpty(alpha.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
        await DrainAsync(alpha.ResponseStream);
    }

    // Read a duplex call to its end before disposing it: disposing earlier resets the stream while the
    // server may still be reading, and the server logs that reset as an error the host fails on.
    private static async Task DrainAsync<T>(IAsyncStreamReader<T> responses)
    {
        while (await responses.MoveNext(CancellationToken.None).WithTimeout())
        {
        }
    }

    [Fact]
    public async Task Metrics_PrometheusTextWithCallsAndLatency()
    {
        await using var host = await StartAsync();
        var client = host.CreateClient();
        await AssertGoodCallAsync(client);
        await AssertStatusAsync(client.RankModelsAsync(new RankModelsRequest { Query = "" }, deadline: Timeouts.Deadline), StatusCode.InvalidArgument);
        var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = "hello" }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "small", Success = true }, deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();
        await client.ReloadIndexAsync(new ReloadIndexRequest(), deadline: Timeouts.Deadline).ResponseAsync.WithTimeout();

        using var http = new HttpClient(InProcessHandler(host)) { BaseAddress = host.MetricsAddress, Timeout = Timeouts.Default };
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative)).WithTimeout();
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync().WithTimeout();
        Assert.Contains("semantic_router_grpc_calls_total{method=\"semantic_router.v1.Router/RankModels\",code=\"OK\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_grpc_calls_total{method=\"semantic_router.v1.Router/RankModels\",code=\"InvalidArgument\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_grpc_call_duration_seconds_bucket{method=\"semantic_router.v1.Router/RankModels\",le=", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_embedding_duration_seconds_count 2", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_search_duration_seconds_count 2", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_outcomes_total{model=\"small\",result=\"success\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_index_info{version=\"v2\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_index_utterances 6", text, StringComparison.Ordinal);
        Assert.Contains("semantic_router_index_reloads_total{result=\"ok\"} 1", text, StringComparison.Ordinal);

        using var healthz = await http.GetAsync(new Uri("/healthz", UriKind.Relative)).WithTimeout();
        Assert.Equal(System.Net.HttpStatusCode.OK, healthz.StatusCode);
    }

    private static HttpMessageHandler InProcessHandler(TestHost host) =>
        host.InProcess ? Microsoft.AspNetCore.TestHost.HostBuilderTestServerExtensions.GetTestServer(host.App).CreateHandler() : new SocketsHttpHandler();
}

public sealed class RouterServiceInProcessTests : RouterServiceTests
{
    protected override bool InProcess => true;
}

public sealed class RouterServiceKestrelTests : RouterServiceTests
{
    protected override bool InProcess => false;
}
