namespace SemanticRouter.Outcomes.Redis;

/// <summary>
/// One outcome as the value of its stream entry: format byte, time (unix ms), flags, request id, query text,
/// model, score, idempotency key, cost, then the credits (utterance count, (u64 key, f64 weight)*, route
/// count, (utf-8 name, f64 weight)*). The id is the entry's own <c>id</c> field (the store's counter).
/// </summary>
internal static class RedisOutcomeCodec
{
    private const byte Format = 1;

    [Flags]
    private enum Present : byte
    {
        None = 0,
        RequestId = 1,
        Query = 2,
        Key = 4,
        Cost = 8,
    }

    public static byte[] Encode(DateTimeOffset time, string? requestId, string? query, string model, double score, string? key, double? cost, OutcomeCredits credits)
    {
        using var ms = new MemoryStream(64 + (credits.Utterances.Count * 16) + (query?.Length ?? 0));
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Format);
            w.Write(time.ToUnixTimeMilliseconds());
            var present = (requestId is null ? Present.None : Present.RequestId) | (query is null ? Present.None : Present.Query)
                | (key is null ? Present.None : Present.Key) | (cost is null ? Present.None : Present.Cost);
            w.Write((byte)present);
            if (requestId is not null)
            {
                w.Write(requestId);
            }

            if (query is not null)
            {
                w.Write(query);
            }

            w.Write(model);
            w.Write(score);
            if (key is not null)
            {
                w.Write(key);
            }

            if (cost is { } c)
            {
                w.Write(c);
            }

            OutcomeCreditsCodec.Write(w, credits);
        }

        return ms.ToArray();
    }

    public static StoredOutcome Decode(long id, byte[] value)
    {
        using var r = new BinaryReader(new MemoryStream(value), System.Text.Encoding.UTF8);
        var format = r.ReadByte();
        if (format != Format)
        {
            throw new InvalidDataException($"Unknown outcome format {format} in Redis.");
        }

        var time = DateTimeOffset.FromUnixTimeMilliseconds(r.ReadInt64());
        var present = (Present)r.ReadByte();
        var requestId = present.HasFlag(Present.RequestId) ? r.ReadString() : null;
        var query = present.HasFlag(Present.Query) ? r.ReadString() : null;
        var model = r.ReadString();
        var score = r.ReadDouble();
        var key = present.HasFlag(Present.Key) ? r.ReadString() : null;
        double? cost = present.HasFlag(Present.Cost) ? r.ReadDouble() : null;
        var credits = OutcomeCreditsCodec.Read(r);
        return new StoredOutcome(id, time, requestId, query, model, score, credits)
        {
            IdempotencyKey = key,
            CostUsd = cost,
        };
    }
}
