using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace SemanticRouter.Server;

/// <summary>Every log event of the server, with stable ids (never renumber; add new ids at the end).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, EventName = "Listening",
        Message = "gRPC listening on {GrpcAddress} (tls: {Tls}), metrics on {MetricsAddress}, api key required: {ApiKeyRequired}; {StartupMs} ms after the process started")]
    public static partial void Listening(ILogger logger, string grpcAddress, bool tls, string metricsAddress, bool apiKeyRequired, long startupMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, EventName = "CallRejected",
        Message = "{Method} rejected with {StatusCode}: {Detail}")]
    public static partial void CallRejected(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, EventName = "CallFailed",
        Message = "{Method} failed with an unexpected error")]
    public static partial void CallFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, EventName = "Unauthenticated",
        Message = "{Method} from {Peer} rejected: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, EventName = "IndexReloaded",
        Message = "Index reloaded from {Path}: version {Previous} -> {Version}, {Utterances} utterances in {Routes} routes")]
    public static partial void IndexReloaded(ILogger logger, string path, string previous, string version, int utterances, int routes);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, EventName = "IndexReloadRejected",
        Message = "Index reload from {Path} rejected, the old index keeps serving: {Detail}")]
    public static partial void IndexReloadRejected(ILogger logger, string path, string detail);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, EventName = "UtterancesAdded",
        Message = "{Count} utterance(s) added to route {Route}; index version {Version}")]
    public static partial void UtterancesAdded(ILogger logger, int count, string route, string version);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, EventName = "CallCancelled",
        Message = "{Method} ended early: {StatusCode}")]
    public static partial void CallCancelled(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, EventName = "Draining",
        Message = "Shutting down: draining in-flight calls for up to {Timeout}")]
    public static partial void Draining(ILogger logger, TimeSpan timeout);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, EventName = "Ranked",
        Message = "RankModels {RequestId}: {ModelCount} models, route {Route} (abstained: {Abstained}) in {ElapsedMs} ms")]
    public static partial void Ranked(ILogger logger, string requestId, int modelCount, string route, bool abstained, double elapsedMs);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, EventName = "RankingSettingsNotApplied",
        Message = "The index reloaded from {Path} (version {Version}) carries other ranking settings than the index the server started on; it keeps ranking with those it started with until it restarts")]
    public static partial void RankingSettingsNotApplied(ILogger logger, string path, string version);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, EventName = "RankingSettings",
        Message = "Ranking with {Settings} (from {Source}, with the configured settings over it)")]
    public static partial void RankingSettings(ILogger logger, string source, string settings);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, EventName = "RankingSettingIgnored",
        Message = "Ranking setting ignored: {Detail}")]
    public static partial void RankingSettingIgnored(ILogger logger, string detail);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, EventName = "TextModelFitted",
        Message = "Text outcome model serving: fitted on {Outcomes} text outcomes, {Models} model(s), in {Seconds:0.0} s")]
    public static partial void TextModelFitted(ILogger logger, int outcomes, int models, double seconds);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, EventName = "ModelLoaded",
        Message = "Model {Model} (sha256 {Sha256}) from {Directory}: {IntraOpThreads} intra-op thread(s), spinning {Spinning}")]
    public static partial void ModelLoaded(ILogger logger, string model, string sha256, string directory, int intraOpThreads, Embeddings.IntraOpSpinning spinning);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, EventName = "StartupPhase",
        Message = "Start-up: {Phase}")]
    public static partial void StartupPhase(ILogger logger, string phase);

    [LoggerMessage(EventId = 17, Level = LogLevel.Debug, EventName = "CallCompleted",
        Message = "{Method} {StatusCode} in {ElapsedMs:0.###} ms from {Peer}")]
    public static partial void CallCompleted(ILogger logger, string method, string statusCode, double elapsedMs, string peer);

    // Ids 30 and up: the hardening of issue 27 (15–29 left to the start-up and metrics work beside it).
    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, EventName = "ServingUnauthenticated",
        Message = "Listening on {Host}, beyond loopback, WITHOUT an API key (AllowUnauthenticated=true): anyone who reaches the port can rank and record outcomes")]
    public static partial void ServingUnauthenticated(ILogger logger, string host);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information, EventName = "WebPage",
        Message = "Web page on {Address} (sign-in required: {SignInRequired}, admin operations: {AdminEnabled})")]
    public static partial void WebPage(ILogger logger, string address, bool signInRequired, bool adminEnabled);

    // 40–49: the shared outcome store and index roll-out (issue 28).
    [LoggerMessage(EventId = 40, Level = LogLevel.Information, EventName = "OutcomeStoreShared",
        Message = "Outcomes: the Redis store shared by replicas (key prefix {Prefix}), {Count} outcomes read; others' outcomes read every {PollMs} ms")]
    public static partial void OutcomeStoreShared(ILogger logger, string prefix, long count, int pollMs);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, EventName = "IndexRolledOut",
        Message = "Index rolled out: {Previous} -> {Version} ({Utterances} utterances), published in the watched index directory")]
    public static partial void IndexRolledOut(ILogger logger, string previous, string version, int utterances);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, EventName = "IndexRolloutRefused",
        Message = "Index {Version} published in the watched directory was not loaded, the old one keeps serving (tried again when it changes): {Reason}")]
    public static partial void IndexRolloutRefused(ILogger logger, string version, string reason);
}
