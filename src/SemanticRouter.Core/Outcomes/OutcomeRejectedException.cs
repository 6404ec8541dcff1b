namespace SemanticRouter.Outcomes;

/// <summary>Why an outcome was refused. The numeric values are persisted by clients: never renumber.</summary>
public enum OutcomeRejectionReason
{
    /// <summary>The request id is unknown, or its ranking is older than the request log's TTL or was evicted (NOT_FOUND).</summary>
    UnknownRequestId = 1,

    /// <summary>The model is not in the model catalogue (INVALID_ARGUMENT).</summary>
    UnknownModel = 2,

    /// <summary>The score is NaN or outside [0, 1] (INVALID_ARGUMENT).</summary>
    ScoreOutOfRange = 3,

    /// <summary>Neither a request id nor query text was given, or both were (INVALID_ARGUMENT).</summary>
    InvalidTarget = 4,

    /// <summary>Query text was given but the store has no way to find its neighbours (FAILED_PRECONDITION).</summary>
    QueryTextUnsupported = 5,

    /// <summary>The query text found no neighbour to credit (FAILED_PRECONDITION: the index is empty).</summary>
    NoNeighbors = 6,

    /// <summary>The idempotency key is empty or longer than <see cref="Outcome.MaxIdempotencyKeyLength"/> (INVALID_ARGUMENT).</summary>
    InvalidIdempotencyKey = 7,

    /// <summary>The cost is negative or not finite (INVALID_ARGUMENT).</summary>
    CostOutOfRange = 8,
}

/// <summary>
/// An outcome the store refused, with a precise <see cref="Reason"/>; its <see cref="RouterException.Code"/>
/// is the one the reason's documentation names.
/// </summary>
public sealed class OutcomeRejectedException : RouterException
{
    public OutcomeRejectedException()
        : base(RouterErrorCode.InvalidArgument, "The outcome was refused.")
    {
    }

    public OutcomeRejectedException(string message)
        : base(RouterErrorCode.InvalidArgument, message)
    {
    }

    public OutcomeRejectedException(string message, Exception innerException)
        : base(RouterErrorCode.InvalidArgument, message, innerException)
    {
    }

    public OutcomeRejectedException(OutcomeRejectionReason reason, string message)
        : base(CodeOf(reason), message) => Reason = reason;

    public OutcomeRejectionReason Reason { get; }

    private static RouterErrorCode CodeOf(OutcomeRejectionReason reason) => reason switch
    {
        OutcomeRejectionReason.UnknownRequestId => RouterErrorCode.NotFound,
        OutcomeRejectionReason.QueryTextUnsupported or OutcomeRejectionReason.NoNeighbors => RouterErrorCode.FailedPrecondition,
        _ => RouterErrorCode.InvalidArgument,
    };
}
