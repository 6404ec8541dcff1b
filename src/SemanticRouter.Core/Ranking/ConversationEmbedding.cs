using System.Numerics.Tensors;

namespace SemanticRouter.Ranking;

/// <summary>
/// Blends the last turn of a conversation with its earlier turns so that a follow-up such as
/// "and in Python?" is routed with its conversation.
/// </summary>
/// <remarks>
/// With ℓ the last turn and e_1 … e_n the earlier turns (oldest first), every vector normalised:
/// v = normalise(ℓ + Σ_j γ^(n−j+1) · e_j). The previous turn weighs γ, the one before γ², …
/// γ = 0 is the last turn alone. Since γ &lt; 1 the last turn always weighs more than any earlier
/// one, so a self-contained last turn that changes the topic keeps its own route; a vague one
/// (whose embedding is weakly aligned with every route) takes the direction of its context.
/// </remarks>
public static class ConversationEmbedding
{
    public static float[] Blend(ReadOnlySpan<float> last, IReadOnlyList<float[]> earlierTurns, double decay)
    {
        ArgumentNullException.ThrowIfNull(earlierTurns);
        ThrowIfBadDecay(decay);
        if (last.IsEmpty)
        {
            throw new ArgumentException("The last turn's embedding is empty.", nameof(last));
        }

        var result = last.ToArray();
        Normalise(result);
        var n = earlierTurns.Count;
        var scratch = new float[result.Length];
        for (var j = 0; j < n && decay > 0; j++)
        {
            var turn = earlierTurns[j] ?? throw new ArgumentException($"Earlier turn {j} is null.", nameof(earlierTurns));
            if (turn.Length != result.Length)
            {
                throw new ArgumentException($"Earlier turn {j} has {turn.Length} dimensions, the last turn {result.Length}.", nameof(earlierTurns));
            }

            var norm = TensorPrimitives.Norm(turn);
            if (!(norm > 0))
            {
                continue;
            }

            var weight = (float)(TurnWeight(n, j, decay) / norm);
            TensorPrimitives.Multiply(turn, weight, scratch);
            TensorPrimitives.Add(result, scratch, result);
        }

        Normalise(result);
        return result;
    }

    /// <summary>
    /// Weight of earlier turn <paramref name="j"/> of <paramref name="earlierTurns"/> (oldest first),
    /// the last turn weighing 1: γ^(n−j), so the previous turn γ, the one before γ², …. The text
    /// outcome model weighs a conversation's estimates with it too.
    /// </summary>
    internal static double TurnWeight(int earlierTurns, int j, double decay) => Math.Pow(decay, earlierTurns - j);

    internal static void ThrowIfBadDecay(double decay)
    {
        if (!(decay >= 0 && decay < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "Decay must be in [0, 1).");
        }
    }

    private static void Normalise(Span<float> v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(v, norm, v);
        }
    }
}
