namespace SemanticRouter;

/// <summary>
/// Why a router refused a call. Each code has exactly one gRPC status of the same name, so a caller sees
/// the same code from the in-process engine and from the remote service.
/// </summary>
public enum RouterErrorCode
{
    /// <summary>The request is malformed: empty or over-long text, k out of range, unknown model, score outside [0, 1], ….</summary>
    InvalidArgument = 0,

    /// <summary>Something the request names does not exist: route, request id, index path.</summary>
    NotFound = 1,

    /// <summary>What the request would add is already there (an utterance in its route).</summary>
    AlreadyExists = 2,

    /// <summary>The router is not in a state to do it: a corrupt or mismatched index artefact (the old one keeps serving).</summary>
    FailedPrecondition = 3,

    /// <summary>A limit was reached: too much work queued, no disk space for the outcome. Retry later.</summary>
    ResourceExhausted = 4,

    /// <summary>The router cannot do it now (outcome store unreachable, shutting down, no index yet). Retry later; nothing was stored.</summary>
    Unavailable = 5,

    /// <summary>The caller lacks the key the operation needs.</summary>
    PermissionDenied = 6,

    /// <summary>The caller sent no key, or a wrong one.</summary>
    Unauthenticated = 7,
}

/// <summary>
/// A refused call. <see cref="Exception.Message"/> is one plain sentence, safe to show to the caller: it names
/// the offending field and never echoes unbounded input.
/// </summary>
public class RouterException : Exception
{
    public RouterException(RouterErrorCode code, string message)
        : base(message) => Code = code;

    public RouterException(RouterErrorCode code, string message, Exception? innerException)
        : base(message, innerException) => Code = code;

    public RouterException()
        : this(RouterErrorCode.InvalidArgument, "Invalid request.")
    {
    }

    public RouterException(string message)
        : this(RouterErrorCode.InvalidArgument, message)
    {
    }

    public RouterException(string message, Exception innerException)
        : this(RouterErrorCode.InvalidArgument, message, innerException)
    {
    }

    public RouterErrorCode Code { get; }
}
