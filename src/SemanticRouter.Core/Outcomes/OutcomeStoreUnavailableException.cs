namespace SemanticRouter.Outcomes;

/// <summary>
/// The outcome store could not record (or look up) an outcome now, and nothing of the call was stored: the
/// disk is full (<see cref="RouterErrorCode.ResourceExhausted"/>), or the store is unreachable, read-only or
/// failing (<see cref="RouterErrorCode.Unavailable"/>). The caller may retry the same report: its idempotency
/// key makes a retry count once. The message is one line and names no input.
/// </summary>
public sealed class OutcomeStoreUnavailableException : RouterException
{
    public OutcomeStoreUnavailableException()
        : base(RouterErrorCode.Unavailable, "The outcome store is unavailable; the outcome was not recorded.")
    {
    }

    public OutcomeStoreUnavailableException(string message)
        : base(RouterErrorCode.Unavailable, message)
    {
    }

    public OutcomeStoreUnavailableException(string message, Exception innerException)
        : base(RouterErrorCode.Unavailable, message, innerException)
    {
    }

    public OutcomeStoreUnavailableException(RouterErrorCode code, string message, Exception? innerException)
        : base(code, message, innerException)
    {
    }

    /// <summary>No space left for the outcome store (RESOURCE_EXHAUSTED).</summary>
    public static OutcomeStoreUnavailableException DiskFull(Exception cause) => new(RouterErrorCode.ResourceExhausted,
        "The outcome store's disk is full: the outcome was not recorded; free space and retry (rankings keep working).", cause);

    /// <summary>The store failed to write or read (UNAVAILABLE), with what the store is.</summary>
    public static OutcomeStoreUnavailableException Failed(string store, Exception cause) => new(RouterErrorCode.Unavailable,
        $"The outcome store ({store}) is unavailable: the outcome was not recorded; retry later (rankings keep working).", cause);
}
