namespace SemanticRouter.Engine;

/// <summary>What was wrong with a query; shells map each kind to a status code or exit code.</summary>
public enum RouterQueryError
{
    EmptyQuery,
    QueryTooLong,
    BadK,
    BadCostWeight,
}

/// <summary>A query the engine refuses (<see cref="RouterErrorCode.InvalidArgument"/>); the message says what and why, for the caller to read.</summary>
public sealed class RouterQueryException : RouterException
{
    public RouterQueryException()
        : base(RouterErrorCode.InvalidArgument, "The query was refused.")
    {
    }

    public RouterQueryException(string message)
        : base(RouterErrorCode.InvalidArgument, message)
    {
    }

    public RouterQueryException(string message, Exception innerException)
        : base(RouterErrorCode.InvalidArgument, message, innerException)
    {
    }

    public RouterQueryException(RouterQueryError error, string message)
        : base(RouterErrorCode.InvalidArgument, message) => Error = error;

    public RouterQueryError Error { get; }
}
