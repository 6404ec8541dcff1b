using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>
/// An outcome's credits as the compact blob of the <c>outcomes.credits</c> column; <see cref="Write"/> and
/// <see cref="Read"/> are the body alone, which the Redis store's stream entries embed too.
/// </summary>
public static class OutcomeCreditsCodec
{
    private const byte Format = 1;

    /// <summary>Credits as a compact blob: format byte, utterance count, (u64 key, f64 weight)*, route count, (utf-8 name, f64 weight)*.</summary>
    internal static byte[] Encode(OutcomeCredits credits)
    {
        using var ms = new MemoryStream(16 + (credits.Utterances.Count * 16) + (credits.Routes.Count * 32));
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Format);
            Write(w, credits);
        }

        return ms.ToArray();
    }

    internal static OutcomeCredits Decode(byte[] blob)
    {
        using var r = new BinaryReader(new MemoryStream(blob), System.Text.Encoding.UTF8);
        var format = r.ReadByte();
        if (format != Format)
        {
            throw new InvalidDataException($"Unknown credits format {format}.");
        }

        return Read(r);
    }

    /// <summary>The credits' body: utterance count, (u64 key, f64 weight)*, route count, (utf-8 name, f64 weight)*.</summary>
    public static void Write(BinaryWriter w, OutcomeCredits credits)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(credits);
        w.Write(credits.Utterances.Count);
        foreach (var c in credits.Utterances)
        {
            w.Write(c.Key.Value);
            w.Write(c.Weight);
        }

        w.Write(credits.Routes.Count);
        foreach (var c in credits.Routes)
        {
            w.Write(c.Route);
            w.Write(c.Weight);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static OutcomeCredits Read(BinaryReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var utterances = new UtteranceCredit[r.ReadInt32()];
        for (var i = 0; i < utterances.Length; i++)
        {
            utterances[i] = new UtteranceCredit(new UtteranceKey(r.ReadUInt64()), r.ReadDouble());
        }

        var routes = new RouteCredit[r.ReadInt32()];
        for (var i = 0; i < routes.Length; i++)
        {
            routes[i] = new RouteCredit(r.ReadString(), r.ReadDouble());
        }

        return new OutcomeCredits(utterances, routes);
    }
}
