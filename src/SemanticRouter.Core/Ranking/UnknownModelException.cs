namespace SemanticRouter.Ranking;

/// <summary>A request named a model (as a candidate or an exclusion) that the routing table does not know (<see cref="RouterErrorCode.InvalidArgument"/>).</summary>
public sealed class UnknownModelException : RouterException
{
    public UnknownModelException()
        : base(RouterErrorCode.InvalidArgument, "Unknown model.")
    {
    }

    public UnknownModelException(string message)
        : base(RouterErrorCode.InvalidArgument, message)
    {
    }

    public UnknownModelException(string message, Exception innerException)
        : base(RouterErrorCode.InvalidArgument, message, innerException)
    {
    }

    /// <summary>An unknown model named in the request's <paramref name="list"/> ("Candidates" or "Excluded").</summary>
    public static UnknownModelException For(string model, string list) =>
        new($"Unknown model '{ErrorMessage.Quote(model)}' in {list}.") { Model = model };

    public string? Model { get; private init; }
}
