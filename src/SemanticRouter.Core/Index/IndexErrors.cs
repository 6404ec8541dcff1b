using System.Diagnostics.CodeAnalysis;

namespace SemanticRouter.Index;

/// <summary>Throw helpers and argument checks shared by the indexes, kept out of hot methods.</summary>
internal static class IndexErrors
{
    /// <summary>How far a squared norm may stray from 1 before a vector is refused as not unit length.</summary>
    public const float UnitNormTolerance = 1e-3f;

    public static void CheckVector(ReadOnlySpan<float> vector, int dims, string paramName)
    {
        if (vector.Length != dims)
        {
            DimensionMismatch(vector.Length, dims, paramName);
        }

        float squared = VectorMath.Dot(vector, vector);
        if (!float.IsFinite(squared))
        {
            NotFinite(vector, paramName);
        }

        if (MathF.Abs(squared - 1f) > UnitNormTolerance)
        {
            NotUnit(squared, paramName);
        }
    }

    public static void CheckK(int k, int ef)
    {
        if (k <= 0)
        {
            Throw($"k must be positive; got {k}.", nameof(k));
        }

        if (ef < 0)
        {
            Throw($"ef must be 0 (the index default) or positive; got {ef}.", nameof(ef));
        }
    }

    [DoesNotReturn]
    public static void DimensionMismatch(int actual, int expected, string paramName) =>
        Throw($"Vector has {actual} dimensions; the index holds {expected}.", paramName);

    [DoesNotReturn]
    public static void NotFinite(ReadOnlySpan<float> vector, string paramName)
    {
        int i = 0;
        while (i < vector.Length && float.IsFinite(vector[i]))
        {
            i++;
        }

        Throw($"Vector holds a NaN or infinite value at position {i}.", paramName);
    }

    [DoesNotReturn]
    public static void NotUnit(float squaredNorm, string paramName) =>
        Throw($"Vector is not L2-normalised (norm {MathF.Sqrt(squaredNorm):G6}); normalise it first.", paramName);

    [DoesNotReturn]
    public static void NegativeId(int id, string paramName) =>
        Throw($"Ids must be non-negative; got {id}.", paramName);

    [DoesNotReturn]
    public static void DuplicateId(int id, string paramName) =>
        Throw($"Id {id} is already in the index.", paramName);

    [DoesNotReturn]
    public static void Throw(string message, string paramName) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void Corrupt(string what, string message) => throw new InvalidDataException($"{what}: {message}");
}
