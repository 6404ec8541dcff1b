namespace SemanticRouter.Ranking;

/// <summary>A request named a model (as a candidate or an exclusion) that the routing table does not know.</summary>
public sealed class UnknownModelException : ArgumentException
{
    public UnknownModelException() { }

    public UnknownModelException(string message) : base(message) { }

    public UnknownModelException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>An unknown model named in the request's <paramref name="list"/> ("Candidates" or "Excluded").</summary>
    public static UnknownModelException For(string model, string list) =>
        new($"Unknown model '{model}' in {list}.") { Model = model };

    public string? Model { get; private init; }
}
