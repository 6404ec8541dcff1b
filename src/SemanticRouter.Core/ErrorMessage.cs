namespace SemanticRouter;

/// <summary>
/// The text of an exception as a caller should read it: an <see cref="ArgumentException"/>'s message
/// without the " (Parameter 'x')" and "Actual value was …" that .NET appends (the name of a C# parameter
/// means nothing to someone who passed a flag, a file key or a request field).
/// </summary>
public static class ErrorMessage
{
    /// <summary>The message of <paramref name="exception"/>, up to the parameter suffix.</summary>
    public static string Of(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = exception.Message;
        var suffix = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return suffix >= 0 ? message[..suffix] : message;
    }
}
