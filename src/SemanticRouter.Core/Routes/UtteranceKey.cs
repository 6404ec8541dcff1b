namespace SemanticRouter.Routes;

/// <summary>
/// A stable identity for an utterance across index rebuilds: a 64-bit hash of (route, text).
/// Index ids change when the index is rebuilt; outcome statistics must not.
/// </summary>
public readonly record struct UtteranceKey(ulong Value)
{
    public static UtteranceKey Of(string route, string text)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(text);
        var bytes = System.Text.Encoding.UTF8.GetBytes(route + "\u001f" + text);
        return new UtteranceKey(System.IO.Hashing.XxHash64.HashToUInt64(bytes));
    }

    public override string ToString() => Value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
