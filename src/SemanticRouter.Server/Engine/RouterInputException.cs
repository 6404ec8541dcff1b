namespace SemanticRouter.Server.Engine;

/// <summary>What was wrong with a request, as the engine judged it. Each kind maps to one status code.</summary>
public enum RouterErrorKind
{
    /// <summary>Malformed input the server could not see by itself (INVALID_ARGUMENT).</summary>
    InvalidArgument = 0,
    /// <summary>A model name that is not in the model catalogue (INVALID_ARGUMENT).</summary>
    UnknownModel = 1,
    /// <summary>An outcome score outside [0, 1] (INVALID_ARGUMENT).</summary>
    ScoreOutOfRange = 2,
    /// <summary>A route that does not exist (NOT_FOUND).</summary>
    UnknownRoute = 3,
    /// <summary>A request id that is unknown or expired (NOT_FOUND).</summary>
    UnknownRequestId = 4,
    /// <summary>A path that does not exist (NOT_FOUND).</summary>
    NotFound = 5,
    /// <summary>An utterance already in the route (ALREADY_EXISTS).</summary>
    DuplicateUtterance = 6,
    /// <summary>An index artefact that fails verification; the old index keeps serving (FAILED_PRECONDITION).</summary>
    CorruptArtifact = 7,
    /// <summary>No index is loaded yet (UNAVAILABLE).</summary>
    NotReady = 8,
}

/// <summary>
/// Thrown by an <see cref="IRouterBackend"/> for input it rejects. The message is sent to the
/// caller as the status detail, so it must be one plain sentence without internal details.
/// </summary>
public sealed class RouterInputException : Exception
{
    public RouterInputException(RouterErrorKind kind, string message)
        : base(message) => Kind = kind;

    public RouterInputException(RouterErrorKind kind, string message, Exception innerException)
        : base(message, innerException) => Kind = kind;

    public RouterInputException()
        : this(RouterErrorKind.InvalidArgument, "Invalid request.")
    {
    }

    public RouterInputException(string message)
        : this(RouterErrorKind.InvalidArgument, message)
    {
    }

    public RouterInputException(string message, Exception innerException)
        : this(RouterErrorKind.InvalidArgument, message, innerException)
    {
    }

    public RouterErrorKind Kind { get; }
}
