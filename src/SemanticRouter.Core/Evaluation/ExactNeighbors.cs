using System.Numerics.Tensors;

namespace SemanticRouter.Evaluation;

/// <summary>One neighbour: row index in the utterance matrix and cosine similarity.</summary>
public readonly record struct Neighbor(int Row, float Similarity);

/// <summary>Finds a query's nearest utterances. The seam where eval can switch to the real index.</summary>
public interface INeighborSource
{
    /// <summary>The k most similar rows, best first.</summary>
    Neighbor[] Search(ReadOnlySpan<float> query, int k);
}

/// <summary>Exact brute-force search over an n×dims matrix of unit vectors (dot product = cosine).</summary>
public sealed class ExactNeighbors(float[] matrix, int dimensions) : INeighborSource
{
    public int Count => matrix.Length / dimensions;

    public Neighbor[] Search(ReadOnlySpan<float> query, int k) => Search(query, k, include: null);

    /// <summary>Search restricted to rows with <c>include[row]</c> (cross-validation: the training folds).</summary>
    public Neighbor[] Search(ReadOnlySpan<float> query, int k, bool[]? include)
    {
        var heap = new PriorityQueue<int, float>(k + 1);
        var n = Count;
        for (var i = 0; i < n; i++)
        {
            if (include is not null && !include[i])
            {
                continue;
            }

            var s = TensorPrimitives.Dot(matrix.AsSpan(i * dimensions, dimensions), query);
            if (heap.Count < k)
            {
                heap.Enqueue(i, s);
            }
            else if (heap.TryPeek(out _, out var min) && s > min)
            {
                heap.DequeueEnqueue(i, s);
            }
        }

        var result = new Neighbor[heap.Count];
        for (var j = result.Length - 1; j >= 0; j--)
        {
            heap.TryDequeue(out var row, out var sim);
            result[j] = new Neighbor(row, sim);
        }

        return result;
    }
}
