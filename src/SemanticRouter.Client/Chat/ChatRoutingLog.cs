using Microsoft.Extensions.Logging;

namespace SemanticRouter.Client;

/// <summary>The log events of the routing chat client, with stable ids.</summary>
internal static partial class ChatRoutingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, EventName = "RouterFailed",
        Message = "The router could not rank the request ({Reason}); the default model {DefaultModel} answers")]
    public static partial void RouterFailed(ILogger logger, DefaultModelReason reason, string defaultModel, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, EventName = "ModelFailed",
        Message = "Model {Model} failed (attempt {Attempt} of {Attempts}); trying the next ranked model")]
    public static partial void ModelFailed(ILogger logger, string model, int attempt, int attempts, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, EventName = "OutcomeNotReported",
        Message = "The outcome of model {Model} on request {RequestId} was not reported")]
    public static partial void OutcomeNotReported(ILogger logger, string model, string requestId, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, EventName = "OutcomeDropped",
        Message = "The outcome queue is full ({Capacity}); the outcome of model {Model} on request {RequestId} was dropped")]
    public static partial void OutcomeDropped(ILogger logger, int capacity, string model, string requestId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, EventName = "JudgeFailed",
        Message = "The judge failed on model {Model}'s response to request {RequestId}; no outcome reported")]
    public static partial void JudgeFailed(ILogger logger, string model, string requestId, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, EventName = "OutcomesAbandoned",
        Message = "{Count} outcome(s) still queued when the chat client was disposed were not reported")]
    public static partial void OutcomesAbandoned(ILogger logger, int count);
}
