using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// The bad-input suite of issue 27: hostile and malformed calls through real clients (Grpc.Net.Client, raw
/// HTTP/2) against one real `semantic-router serve` process with its default limits, across every RPC and
/// every layer: keys, protobuf bytes, HTTP/2 framing and content type, application values, route text,
/// paths and artefacts. Each case asserts the exact status, a one-line bounded message that does not
/// echo the input, and that a good call still answers afterwards.
/// </summary>
[Trait("Category", "EndToEnd")] // a real serve process: ./test.sh --all
public sealed class BadInputSuiteTests(ServedRouter served) : IClassFixture<ServedRouter>
{
    /// <summary>The filler of every long input: a message must never carry a run of it.</summary>
    private const char Filler = 'x';

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create<byte[]>(b => b, b => b);

    public static TheoryData<string> Names => [.. Cases.Keys];

    private static readonly Dictionary<string, BadInput> Cases = BuildCases();

    [Fact]
    public void TheSuite_HasAtLeastSixtyCases_AcrossEveryRpc()
    {
        Assert.True(Cases.Count >= 60, $"{Cases.Count} cases");
        foreach (var rpc in new[] { "RankModels", "RecordOutcome", "InspectNeighbors", "ListRoutes", "AddUtterances", "ReloadIndex" })
        {
            Assert.Contains(Cases.Keys, name => name.StartsWith(rpc, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task BadInput_GetsItsStatus_OneBoundedLine_AndTheServerKeepsServing(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        var bad = Cases[name];
        var answer = await bad.Call(served, ct);

        Assert.True(bad.Code == answer.Code, $"{name}: expected {bad.Code}, got {answer.Code} ({answer.Message}); HTTP {answer.HttpStatus}");
        if (bad.HttpStatus is { } http)
        {
            Assert.Equal(http, answer.HttpStatus);
        }

        if (bad.Message is { } expected)
        {
            Assert.Contains(expected, answer.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain('\n', answer.Message);
        Assert.DoesNotContain('\r', answer.Message);
        Assert.True(answer.Message.Length <= ErrorMessage.MaxMessageChars, $"{name}: a message of {answer.Message.Length} chars");
        Assert.DoesNotContain(new string(Filler, 100), answer.Message, StringComparison.Ordinal);
        Assert.False(served.Serve.HasExited, served.Serve.Output);
        await served.AssertServingAsync(ct);
    }

    private static Dictionary<string, BadInput> BuildCases()
    {
        var cases = new Dictionary<string, BadInput>(StringComparer.Ordinal);
        void Add(string name, StatusCode code, string? message, Func<ServedRouter, CancellationToken, Task<Answer>> call, int? httpStatus = null) =>
            cases.Add(name, new BadInput(code, message, call, httpStatus));

        string Long(int n) => new(Filler, n);
        RankModelsRequest Rank(Action<RankModelsRequest>? adjust = null)
        {
            var r = new RankModelsRequest { Query = "write a python function that reverses a list" };
            adjust?.Invoke(r);
            return r;
        }

        Turn Turn(string text) => new() { Role = "user", Text = text };
        Metadata Bearer(string key) => new() { { "authorization", "Bearer " + key } };

        // --- keys: decided from the headers, before the message is read ---
        Add("RankModels_NoKey", StatusCode.Unauthenticated, "missing authorization metadata", (s, ct) => Call(s.Client.RankModelsAsync(Rank(), null, Deadline(), ct)));
        Add("RankModels_WrongKey", StatusCode.Unauthenticated, "invalid API key.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(), Bearer("not-the-key-0123456789"), Deadline(), ct)));
        Add("RankModels_BasicScheme", StatusCode.Unauthenticated, "must be 'Bearer <api key>'", (s, ct) => Call(s.Client.RankModelsAsync(Rank(), new Metadata { { "authorization", "Basic dXNlcjpwYXNz" } }, Deadline(), ct)));
        Add("RankModels_HugeAuthorizationHeader", StatusCode.Unauthenticated, "invalid API key.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(), Bearer(Long(8000)), Deadline(), ct)));
        Add("RankModels_GarbageBytesWithoutKey_RefusedBeforeParsing", StatusCode.Unauthenticated, null, (s, ct) => Raw(s, "RankModels", [0xFF, 0xFF, 0xFF], null, ct));
        Add("AddUtterances_NoKey", StatusCode.Unauthenticated, "AddUtterances needs the admin key", (s, ct) => Call(s.Client.AddUtterancesAsync(new AddUtterancesRequest { Route = "coding", Utterances = { "a new one" } }, null, Deadline(), ct)));
        Add("AddUtterances_ApiKeyIsNotAdmin", StatusCode.PermissionDenied, "AddUtterances needs the admin key; the API key does not allow it.", (s, ct) => Call(s.Client.AddUtterancesAsync(new AddUtterancesRequest { Route = "coding", Utterances = { "a new one" } }, s.Query, Deadline(), ct)));
        Add("ReloadIndex_ApiKeyIsNotAdmin", StatusCode.PermissionDenied, "ReloadIndex needs the admin key", (s, ct) => Call(s.Client.ReloadIndexAsync(new ReloadIndexRequest(), s.Query, Deadline(), ct)));
        Add("ReloadIndex_WrongAdminKey", StatusCode.Unauthenticated, "invalid admin key.", (s, ct) => Call(s.Client.ReloadIndexAsync(new ReloadIndexRequest(), Bearer("not-the-admin-key-0123456789"), Deadline(), ct)));
        Add("ReloadIndex_GarbageBytesWithApiKey_RefusedBeforeParsing", StatusCode.PermissionDenied, null, (s, ct) => Raw(s, "ReloadIndex", [0xFF, 0xFF, 0xFF], s.Query, ct));

        // --- protobuf bytes ---
        Add("RankModels_GarbageBytes", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "RankModels", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], s.Query, ct));
        Add("RankModels_TruncatedVarint", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "RankModels", [0x10, 0xFF], s.Query, ct));
        Add("RankModels_LengthBeyondMessage", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "RankModels", [0x0A, 0x7F, 0x61, 0x62], s.Query, ct));
        Add("RankModels_EmptyMessage", StatusCode.InvalidArgument, "query must not be empty", (s, ct) => Raw(s, "RankModels", [], s.Query, ct));
        Add("RankModels_OverTheMessageSizeLimit", StatusCode.ResourceExhausted, null, (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Metadata["big"] = Long(2 * 1024 * 1024)), s.Query, Deadline(), ct)));
        Add("RecordOutcome_GarbageBytes", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "RecordOutcome", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], s.Query, ct));
        Add("ListRoutes_GarbageBytes", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "ListRoutes", [0x0B], s.Query, ct));
        Add("InspectNeighbors_GarbageBytes", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "InspectNeighbors", [0x12, 0x05, 0x01], s.Query, ct));
        Add("AddUtterances_GarbageBytes", StatusCode.InvalidArgument, null, (s, ct) => Raw(s, "AddUtterances", [0xFF, 0x01], s.Admin, ct));

        // --- HTTP/2 and content type ---
        Add("RankModels_ContentTypeTextPlain", StatusCode.Internal, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "text/plain", Frame(Rank().ToByteArray()), null, ct), httpStatus: 415);
        Add("RankModels_NoContentType", StatusCode.Internal, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", null, Frame(Rank().ToByteArray()), null, ct), httpStatus: 415);
        Add("RankModels_CompressedFlagWithoutEncoding", StatusCode.Internal, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", Frame(Rank().ToByteArray(), compressed: true), null, ct));
        Add("RankModels_UnknownEncoding", StatusCode.Unimplemented, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", Frame(Rank().ToByteArray(), compressed: true), r => r.Headers.TryAddWithoutValidation("grpc-encoding", "br-" + Long(20)), ct));
        Add("RankModels_FrameShorterThanItsLength", StatusCode.Internal, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", [0, 0, 0, 0, 100, 0x0A, 0x01, 0x61], null, ct));
        Add("RankModels_FrameLengthOverTheLimit", StatusCode.ResourceExhausted, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", [0, 0x7F, 0xFF, 0xFF, 0xFF, 0x0A], null, ct));
        Add("RankModels_TwoMessagesInAUnaryCall", StatusCode.Internal, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", [.. Frame(Rank().ToByteArray()), .. Frame(Rank().ToByteArray())], null, ct));
        Add("RankModels_MalformedTimeout", StatusCode.OK, null, (s, ct) => Http(s, "/semantic_router.v1.Router/RankModels", "application/grpc", Frame(Rank().ToByteArray()), r => r.Headers.TryAddWithoutValidation("grpc-timeout", "soon" + Long(10)), ct));
        Add("UnknownMethod", StatusCode.Unimplemented, null, (s, ct) => Http(s, "/semantic_router.v1.Router/Nope" + Long(500), "application/grpc", Frame([]), null, ct));
        Add("UnknownService", StatusCode.Unimplemented, null, (s, ct) => Http(s, "/no.such.Service/Call", "application/grpc", Frame([]), null, ct));

        // --- RankModels values ---
        Add("RankModels_EmptyQuery", StatusCode.InvalidArgument, "query must not be empty or whitespace.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Query = ""), s.Query, Deadline(), ct)));
        Add("RankModels_WhitespaceQuery", StatusCode.InvalidArgument, "query must not be empty or whitespace.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Query = " \t\n "), s.Query, Deadline(), ct)));
        Add("RankModels_QueryOverMaxQueryBytes", StatusCode.InvalidArgument, "query is 16385 bytes of UTF-8; the limit is 16384.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Query = Long(16385)), s.Query, Deadline(), ct)));
        Add("RankModels_MultiByteQueryOverMaxQueryBytes", StatusCode.InvalidArgument, "query is 16386 bytes of UTF-8", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Query = string.Concat(Enumerable.Repeat("é", 8193))), s.Query, Deadline(), ct)));
        Add("RankModels_NegativeK", StatusCode.InvalidArgument, "k must be ≥ 1 (or 0 for the router's default), not -1.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.K = -1), s.Query, Deadline(), ct)));
        Add("RankModels_KOverMax", StatusCode.InvalidArgument, "k must be at most 1000, not 1001.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.K = 1001), s.Query, Deadline(), ct)));
        Add("RankModels_KIntMax", StatusCode.InvalidArgument, "k must be at most 1000", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.K = int.MaxValue), s.Query, Deadline(), ct)));
        Add("RankModels_NegativeCostWeight", StatusCode.InvalidArgument, "cost_weight must be a finite number ≥ 0, not -1.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.CostWeight = -1), s.Query, Deadline(), ct)));
        Add("RankModels_NaNCostWeight", StatusCode.InvalidArgument, "cost_weight must be a finite number", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.CostWeight = double.NaN), s.Query, Deadline(), ct)));
        Add("RankModels_InfiniteCostWeight", StatusCode.InvalidArgument, "cost_weight must be a finite number", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.CostWeight = double.PositiveInfinity), s.Query, Deadline(), ct)));
        Add("RankModels_EmptyCandidate", StatusCode.InvalidArgument, "candidates[0] must not be empty.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Candidates.Add("")), s.Query, Deadline(), ct)));
        Add("RankModels_UnknownCandidate", StatusCode.InvalidArgument, "Unknown model 'no-such-model' in Candidates.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Candidates.Add("no-such-model")), s.Query, Deadline(), ct)));
        Add("RankModels_UnknownExcluded", StatusCode.InvalidArgument, "in Excluded.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Excluded.Add("no-such-model")), s.Query, Deadline(), ct)));
        Add("RankModels_LongCandidateName", StatusCode.InvalidArgument, "candidates[0] is 300 bytes of UTF-8; a name is at most 256.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Candidates.Add(Long(300))), s.Query, Deadline(), ct)));
        Add("RankModels_TooManyCandidates", StatusCode.InvalidArgument, "candidates holds 257 model names; the limit is 256.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Candidates.Add(Enumerable.Range(0, 257).Select(i => $"m{i}"))), s.Query, Deadline(), ct)));
        Add("RankModels_EveryModelExcluded", StatusCode.InvalidArgument, "no model left to rank", async (s, ct) =>
        {
            var routes = await s.Client.ListRoutesAsync(new ListRoutesRequest(), s.Query, Deadline(), ct);
            var all = routes.Routes.SelectMany(r => r.Models).Distinct().ToList();
            return await Call(s.Client.RankModelsAsync(Rank(r => r.Excluded.Add(all)), s.Query, Deadline(), ct));
        });
        Add("RankModels_HistoryOverMaxTurns", StatusCode.InvalidArgument, "history holds 33 turns; the limit is 32.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add(Enumerable.Range(0, 33).Select(i => Turn($"turn {i}")))), s.Query, Deadline(), ct)));
        Add("RankModels_TenThousandTurns_RefusedAtOnce", StatusCode.InvalidArgument, "history holds 10000 turns; the limit is 32.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add(Enumerable.Range(0, 10_000).Select(i => Turn($"turn {i} about sorting lists")))), s.Query, DateTime.UtcNow.AddSeconds(5), ct)));
        Add("RankModels_HistoryTurnOverMaxQueryBytes", StatusCode.InvalidArgument, "history[1].text is 16385 bytes of UTF-8; the limit is 16384.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add([Turn("hello"), Turn(Long(16385))])), s.Query, Deadline(), ct)));
        Add("RankModels_HistoryTotalOverMaxRequestTextBytes", StatusCode.InvalidArgument, "the limit is 65536 per request.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add(Enumerable.Range(0, 5).Select(_ => Turn(Long(15000))))), s.Query, Deadline(), ct)));
        Add("RankModels_WhitespaceTurn", StatusCode.InvalidArgument, "history[0].text must not be empty or whitespace.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add(Turn("  "))), s.Query, Deadline(), ct)));
        Add("RankModels_LongRole", StatusCode.InvalidArgument, "history[0].role is longer than 256 characters.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.History.Add(new Turn { Role = Long(1000), Text = "hi" })), s.Query, Deadline(), ct)));
        Add("RankModels_TooManyMetadataEntries", StatusCode.InvalidArgument, "metadata holds 65 entries; the limit is 64.", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Metadata.Add(Enumerable.Range(0, 65).ToDictionary(i => $"k{i}", i => "v"))), s.Query, Deadline(), ct)));
        Add("RankModels_LongMetadataValue", StatusCode.InvalidArgument, "is longer than 1024 bytes of UTF-8", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Metadata["tenant"] = Long(2000)), s.Query, Deadline(), ct)));
        Add("RankModels_LongMetadataKey", StatusCode.InvalidArgument, "(2000 chars)' is longer than 1024 bytes", (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Metadata[Long(2000)] = "v"), s.Query, Deadline(), ct)));
        Add("RankModels_DeadlineAlreadyPassed", StatusCode.DeadlineExceeded, null, (s, ct) => Call(s.Client.RankModelsAsync(Rank(), s.Query, DateTime.UtcNow.AddSeconds(-1), ct)));
        Add("RankModels_ControlCharactersInQuery_AreText", StatusCode.OK, null, (s, ct) => Call(s.Client.RankModelsAsync(Rank(r => r.Query = "sort\0 a\u0001 list\u202e in python"), s.Query, Deadline(), ct)));

        // --- RecordOutcome values ---
        Add("RecordOutcome_NoSubject", StatusCode.InvalidArgument, "Either request_id or query is required.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Model = "gpt-4o", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_EmptyRequestId", StatusCode.InvalidArgument, "request_id must not be empty.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = "", Model = "gpt-4o", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_UnknownRequestId", StatusCode.NotFound, null, (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = "no-such-request", Model = "gpt-4o", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_LongRequestId", StatusCode.InvalidArgument, "request_id is 16384 bytes of UTF-8; a name is at most 256.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = Long(16384), Model = "gpt-4o", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_NoModel", StatusCode.InvalidArgument, "model is required.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_LongModel", StatusCode.InvalidArgument, "model is 300 bytes of UTF-8", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Model = Long(300), Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_UnknownModel", StatusCode.InvalidArgument, "no-such-model", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Model = "no-such-model", Success = true }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_ScoreOverOne", StatusCode.InvalidArgument, "score must be in [0, 1], not 1.5.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Model = "gpt-4o", Score = 1.5 }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_NaNScore", StatusCode.InvalidArgument, "score must be in [0, 1], not NaN.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Model = "gpt-4o", Score = double.NaN }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_NoOutcome", StatusCode.InvalidArgument, "Either success or score is required.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = "sort a list", Model = "gpt-4o" }, s.Query, Deadline(), ct)));
        Add("RecordOutcome_QueryOverMaxQueryBytes", StatusCode.InvalidArgument, "query is 20000 bytes of UTF-8; the limit is 16384.", (s, ct) => Call(s.Client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = Long(20000), Model = "gpt-4o", Success = true }, s.Query, Deadline(), ct)));

        // --- InspectNeighbors and ListRoutes ---
        Add("InspectNeighbors_EmptyQuery", StatusCode.InvalidArgument, "query must not be empty or whitespace.", (s, ct) => Call(s.Client.InspectNeighborsAsync(new InspectNeighborsRequest(), s.Query, Deadline(), ct)));
        Add("InspectNeighbors_KOverMax", StatusCode.InvalidArgument, "k must be at most 1000, not 5000.", (s, ct) => Call(s.Client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = "sort a list", K = 5000 }, s.Query, Deadline(), ct)));
        Add("InspectNeighbors_HistoryOverMaxTurns", StatusCode.InvalidArgument, "history holds 40 turns; the limit is 32.", (s, ct) => Call(s.Client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = "sort a list", History = { Enumerable.Range(0, 40).Select(i => Turn($"t{i}")) } }, s.Query, Deadline(), ct)));
        Add("InspectNeighbors_QueryOverMaxQueryBytes", StatusCode.InvalidArgument, "query is 16385 bytes", (s, ct) => Call(s.Client.InspectNeighborsAsync(new InspectNeighborsRequest { Query = Long(16385) }, s.Query, Deadline(), ct)));
        Add("ListRoutes_WrongKey", StatusCode.Unauthenticated, "invalid API key.", (s, ct) => Call(s.Client.ListRoutesAsync(new ListRoutesRequest(), Bearer("nope-nope-nope-nope"), Deadline(), ct)));
        Add("ListRoutes_UnknownFieldsIgnored", StatusCode.OK, null, (s, ct) => Raw(s, "ListRoutes", [0x08, 0x01, 0x12, 0x02, 0x61, 0x62], s.Query, ct));

        // --- AddUtterances values and route text ---
        AddUtterancesRequest Utterances(string route, params string[] texts) => new() { Route = route, Utterances = { texts } };
        Add("AddUtterances_NoRoute", StatusCode.InvalidArgument, "route is required.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("", "x"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_UnknownRoute", StatusCode.NotFound, "no-such-route", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("no-such-route", "a new utterance"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_LongRoute", StatusCode.InvalidArgument, "route is 300 bytes of UTF-8; a name is at most 256.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances(Long(300), "a new utterance"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_None", StatusCode.InvalidArgument, "utterances must hold at least one utterance.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_OverMaxPerCall", StatusCode.InvalidArgument, "utterances holds 257 utterances; the limit is 256 per call.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", [.. Enumerable.Range(0, 257).Select(i => $"utterance {i}")]), s.Admin, Deadline(), ct)));
        Add("AddUtterances_TwiceInTheRequest", StatusCode.AlreadyExists, "utterances[1] is given twice in the request", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", "port this to rust please", "port this to rust please"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_LongDuplicate_QuotedShort", StatusCode.AlreadyExists, "… (16000 chars)", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", Long(16000), Long(16000)), s.Admin, Deadline(), ct)));
        Add("AddUtterances_Whitespace", StatusCode.InvalidArgument, "utterances[0] must not be empty or whitespace.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", " "), s.Admin, Deadline(), ct)));
        Add("AddUtterances_OverMaxQueryBytes", StatusCode.InvalidArgument, "utterances[0] is 16385 bytes", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", Long(16385)), s.Admin, Deadline(), ct)));
        Add("AddUtterances_TotalOverMaxRequestTextBytes", StatusCode.InvalidArgument, "the limit is 65536 per request.", (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", [.. Enumerable.Range(0, 5).Select(i => $"{i} {Long(15000)}")]), s.Admin, Deadline(), ct)));
        Add("AddUtterances_YamlSyntaxInText_IsStoredAsText", StatusCode.OK, null, (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", "key: value # not a comment", "- [not, a, list] {nor: a map}", "'quoted' \"twice\" & *alias !!tag"), s.Admin, Deadline(), ct)));
        Add("AddUtterances_MultiLineText", StatusCode.OK, null, (s, ct) => Call(s.Client.AddUtterancesAsync(Utterances("coding", "first line of a prompt\nsecond line: with a colon"), s.Admin, Deadline(), ct)));

        // --- ReloadIndex: paths and artefacts ---
        Task<Answer> Reload(ServedRouter s, string path, CancellationToken ct) => Call(s.Client.ReloadIndexAsync(new ReloadIndexRequest { Path = path }, s.Admin, Deadline(), ct));
        Add("ReloadIndex_OutsideTheRoot", StatusCode.PermissionDenied, "path '/etc' is outside the index root", (s, ct) => Reload(s, "/etc", ct));
        Add("ReloadIndex_MissingOutsideTheRoot_SameAnswer", StatusCode.PermissionDenied, "is outside the index root", (s, ct) => Reload(s, "/no/such/directory", ct));
        Add("ReloadIndex_DotDotEscape", StatusCode.PermissionDenied, "is outside the index root", (s, ct) => Reload(s, "../../../../etc", ct));
        Add("ReloadIndex_SymlinkedDirectory", StatusCode.PermissionDenied, "path 'escape' leads outside the index root", (s, ct) => Reload(s, "escape", ct));
        Add("ReloadIndex_SymlinkedFileInside", StatusCode.PermissionDenied, "'sneaky/manifest.json' is a symbolic link that leads outside the index root.", (s, ct) => Reload(s, "sneaky", ct));
        Add("ReloadIndex_MissingUnderTheRoot", StatusCode.NotFound, "no-such-index", (s, ct) => Reload(s, "no-such-index", ct));
        Add("ReloadIndex_NulInPath", StatusCode.InvalidArgument, "path contains characters that are not allowed in a path.", (s, ct) => Reload(s, "index\0/etc", ct));
        Add("ReloadIndex_LongPath", StatusCode.PermissionDenied, "… (5001 chars)", (s, ct) => Reload(s, "/" + Long(5000), ct));
        Add("ReloadIndex_CorruptManifest", StatusCode.FailedPrecondition, "index not reloaded, the old one keeps serving", (s, ct) => Reload(s, "corrupt", ct));
        Add("ReloadIndex_TruncatedGraph", StatusCode.FailedPrecondition, "index not reloaded, the old one keeps serving", (s, ct) => Reload(s, "truncated", ct));
        Add("ReloadIndex_EmptyDirectory", StatusCode.FailedPrecondition, "index not reloaded, the old one keeps serving", (s, ct) => Reload(s, "empty", ct));
        Add("ReloadIndex_AbsolutePathUnderTheRoot_Reloads", StatusCode.OK, null, (s, ct) => Reload(s, s.Index, ct));

        return cases;
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    private static async Task<Answer> Call<T>(AsyncUnaryCall<T> call)
    {
        using (call)
        {
            try
            {
                await call.ResponseAsync;
                return new Answer(StatusCode.OK, string.Empty, 200);
            }
            catch (RpcException e)
            {
                return new Answer(e.StatusCode, e.Status.Detail, 200);
            }
        }
    }

    /// <summary>A call whose message is <paramref name="message"/> as given: bytes no protobuf library would write.</summary>
    private static Task<Answer> Raw(ServedRouter s, string rpc, byte[] message, Metadata? headers, CancellationToken ct)
    {
        var method = new Method<byte[], byte[]>(MethodType.Unary, "semantic_router.v1.Router", rpc, Bytes, Bytes);
        return Call(s.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, Deadline(), ct), message));
    }

    /// <summary>A raw HTTP/2 request (prior knowledge, h2c) to the gRPC port, with whatever framing and headers the case wants.</summary>
    private static async Task<Answer> Http(ServedRouter s, string path, string? contentType, byte[] body, Action<HttpRequestMessage>? adjust, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(s.Serve.GrpcAddress, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServedRouter.ApiKey);
        adjust?.Invoke(request);
        using var response = await http.SendAsync(request, ct);
        await response.Content.ReadAsByteArrayAsync(ct);
        string? status = Header(response.Headers, "grpc-status") ?? Header(response.TrailingHeaders, "grpc-status");
        string message = Uri.UnescapeDataString(Header(response.Headers, "grpc-message") ?? Header(response.TrailingHeaders, "grpc-message") ?? string.Empty);
        return new Answer(status is null ? (StatusCode)(-1) : (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message, (int)response.StatusCode);
    }

    private static string? Header(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>A gRPC length-prefixed message: the compressed flag, the length (big-endian), the bytes.</summary>
    private static byte[] Frame(byte[] message, bool compressed = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    private sealed record BadInput(StatusCode Code, string? Message, Func<ServedRouter, CancellationToken, Task<Answer>> Call, int? HttpStatus);

    private readonly record struct Answer(StatusCode Code, string Message, int HttpStatus);
}
