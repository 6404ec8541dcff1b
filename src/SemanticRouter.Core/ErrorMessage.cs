namespace SemanticRouter;

/// <summary>
/// The text of an exception as a caller should read it: an <see cref="ArgumentException"/>'s message
/// without the " (Parameter 'x')" and "Actual value was …" that .NET appends (the name of a C# parameter
/// means nothing to someone who passed a flag, a file key or a request field). Also the one place that
/// bounds a message: a message, or the part of it that quotes input, never carries unbounded input into a
/// status, a log line or a terminal.
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

    /// <summary>Longest message <see cref="OneLine"/> lets through, in characters.</summary>
    public const int MaxMessageChars = 400;

    /// <summary>Longest piece of input <see cref="Quote"/> lets through, in characters.</summary>
    public const int MaxQuotedChars = 60;

    /// <summary><paramref name="message"/> on one line (line breaks and control characters become spaces), cut to <paramref name="maxChars"/>.</summary>
    public static string OneLine(string message, int maxChars = MaxMessageChars)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cut = Cut(message, maxChars);
        if (cut.AsSpan().IndexOfAnyInRange('\0', '\x1f') < 0 && !cut.Contains('\x7f', StringComparison.Ordinal))
        {
            return cut.Trim();
        }

        return string.Create(cut.Length, cut, static (span, text) =>
        {
            for (int i = 0; i < text.Length; i++)
            {
                span[i] = char.IsControl(text[i]) ? ' ' : text[i];
            }
        }).Trim();
    }

    /// <summary>
    /// A piece of input as a message may quote it: on one line and at most <paramref name="maxChars"/> characters,
    /// cut ones ending in "…" and saying how long the whole was.
    /// </summary>
    public static string Quote(string input, int maxChars = MaxQuotedChars)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Length <= maxChars
            ? OneLine(input, maxChars)
            : $"{OneLine(Cut(input, maxChars - 1), maxChars)}… ({input.Length} chars)";
    }

    // Never splits a surrogate pair.
    private static string Cut(string text, int maxChars)
    {
        if (maxChars < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChars), "at least 2");
        }

        if (text.Length <= maxChars)
        {
            return text;
        }

        int end = char.IsHighSurrogate(text[maxChars - 1]) ? maxChars - 1 : maxChars;
        return text[..end];
    }
}
