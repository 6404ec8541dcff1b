using System.Runtime.CompilerServices;

namespace SemanticRouter.Index;

/// <summary>
/// The neighbour-selection heuristic of HNSW (Malkov &amp; Yashunin, algorithm 4; hnswlib's
/// <c>getNeighborsByHeuristic2</c>), in one place: insert and list shrinking both use it.
/// </summary>
internal static class NeighborSelector
{
    /// <summary>
    /// Keeps at most <paramref name="max"/> of <paramref name="candidates"/> (sorted closest first
    /// to the base point): a candidate is kept only if it is closer to the base point than to every
    /// candidate already kept, which spreads the links over directions instead of one dense cluster.
    /// Fewer than <paramref name="max"/> candidates are all kept. The kept ones are moved to the
    /// front of <paramref name="candidates"/>, still closest first; returns their number.
    /// </summary>
    [SkipLocalsInit]
    public static int Select(Span<Candidate> candidates, int max, float[] vectors, int dims)
    {
        if (candidates.Length <= max)
        {
            return candidates.Length;
        }

        ref float vbase = ref vectors[0];
        int kept = 0;
        for (int i = 0; i < candidates.Length && kept < max; i++)
        {
            Candidate c = candidates[i];
            ref float cv = ref Unsafe.Add(ref vbase, (nint)c.Node * dims);
            bool good = true;
            for (int j = 0; j < kept; j++)
            {
                float d = 1f - VectorMath.Dot(ref cv, ref Unsafe.Add(ref vbase, (nint)candidates[j].Node * dims), dims);
                if (d < c.Distance)
                {
                    good = false;
                    break;
                }
            }

            if (good)
            {
                candidates[kept++] = c;
            }
        }

        return kept;
    }
}
