using System.Text.Json;
using System.Text.Json.Serialization;
using SemanticRouter.Neighbors;

namespace SemanticRouter.Ranking;

/// <summary>One labelled conversation: the turns (oldest first, the last is the query) and the route the last turn belongs to.</summary>
public sealed record ConversationCase(
    [property: JsonPropertyName("turns")] IReadOnlyList<string> Turns,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("kind")] string? Kind = null);

/// <summary>Route accuracy on labelled conversations with the last turn alone and with blending.</summary>
public sealed record ConversationAccuracy(int Cases, double LastTurnOnly, double Blended, double Decay)
{
    public double Gain => Blended - LastTurnOnly;
}

/// <summary>
/// Measures whether <see cref="ConversationEmbedding.Blend"/> helps: each case is routed by the kNN
/// route vote (argmax P_knn(r), docs/ranking.md) of its last turn alone, and of the blended embedding.
/// The caller supplies the encoder and the index search, so this runs against the real model.
/// </summary>
public static class ConversationBenchmark
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>Reads conversations.jsonl: one {"turns": [...], "route": "...", "kind": "..."} per line.</summary>
    public static IReadOnlyList<ConversationCase> Load(string path)
    {
        var cases = new List<ConversationCase>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            ConversationCase? c;
            try
            {
                c = JsonSerializer.Deserialize<ConversationCase>(text, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: {e.Message}", e);
            }

            if (c is null || c.Turns is not { Count: > 0 } || string.IsNullOrWhiteSpace(c.Route))
            {
                throw new InvalidDataException($"{path}:{line}: a case needs non-empty \"turns\" and a \"route\".");
            }

            cases.Add(c);
        }

        return cases;
    }

    public static ConversationAccuracy Evaluate(
        IReadOnlyList<ConversationCase> cases,
        Func<string, float[]> embed,
        Func<float[], IReadOnlyList<Neighbor>> search,
        RankingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(embed);
        ArgumentNullException.ThrowIfNull(search);
        options ??= RankingOptions.Default;
        int lastOnly = 0, blended = 0;
        foreach (var c in cases)
        {
            var turns = c.Turns.Select(embed).ToArray();
            var last = turns[^1];
            var earlier = turns[..^1];
            if (Predict(search(last), options) == c.Route)
            {
                lastOnly++;
            }

            if (Predict(search(ConversationEmbedding.Blend(last, earlier, options.ConversationDecay)), options) == c.Route)
            {
                blended++;
            }
        }

        var n = Math.Max(cases.Count, 1);
        return new ConversationAccuracy(cases.Count, (double)lastOnly / n, (double)blended / n, options.ConversationDecay);
    }

    /// <summary>argmax_r P_knn(r) (ties by name); null without neighbours.</summary>
    public static string? Predict(IReadOnlyList<Neighbor> neighbors, RankingOptions? options = null)
    {
        options ??= RankingOptions.Default;
        return Ranker.TopRoute(Ranker.KnnPosterior(Ranker.Weigh(neighbors, options.K, options.Temperature)));
    }
}
