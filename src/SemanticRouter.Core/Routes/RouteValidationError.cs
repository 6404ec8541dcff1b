using System.Globalization;

namespace SemanticRouter.Routes;

/// <summary>One problem in a route or model file. <see cref="Line"/> and <see cref="Column"/> are 1-based;
/// both are 0 when the problem concerns the file (or directory) as a whole.</summary>
public sealed record RouteValidationError(string File, int Line, int Column, string Message)
{
    /// <summary><c>file:line:col: message</c>, or <c>file: message</c> when there is no position.</summary>
    public override string ToString() => Line > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}: {Message}")
        : $"{File}: {Message}";
}

/// <summary>
/// Thrown when route or model files are invalid. Carries every error found, not just the first;
/// the message lists them one per line as <c>file:line:col: message</c>.
/// </summary>
public sealed class RouteValidationException : Exception
{
    public RouteValidationException(IReadOnlyList<RouteValidationError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public RouteValidationException()
        : this([])
    {
    }

    public RouteValidationException(string message)
        : this([new RouteValidationError("", 0, 0, message)])
    {
    }

    public RouteValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new RouteValidationError("", 0, 0, message)];
    }

    /// <summary>Every error, in file order and, within a file, in document order.</summary>
    public IReadOnlyList<RouteValidationError> Errors { get; }

    private static string Describe(IReadOnlyList<RouteValidationError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var head = errors.Count == 1 ? "1 error in route files:" : $"{errors.Count} errors in route files:";
        return head + Environment.NewLine + string.Join(Environment.NewLine, errors);
    }
}
