namespace SemanticRouter.Engine;

/// <summary>What was wrong with a query; shells map each kind to a status code or exit code.</summary>
public enum RouterQueryError
{
    EmptyQuery,
    QueryTooLong,
    BadK,
    BadCostWeight,
}

/// <summary>A query the engine refuses; the message says what and why, for the caller to read.</summary>
public sealed class RouterQueryException : ArgumentException
{
    public RouterQueryException() { }

    public RouterQueryException(string message) : base(message) { }

    public RouterQueryException(string message, Exception innerException) : base(message, innerException) { }

    public RouterQueryException(RouterQueryError error, string message) : base(message) => Error = error;

    public RouterQueryError Error { get; }
}
