using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SemanticRouter.Index;

/// <summary>
/// The distance kernels. Vectors are L2-normalised, so cosine similarity is the dot product and
/// the distance used inside the graph is <c>1 − dot</c>.
/// </summary>
/// <remarks>
/// <see cref="Dot(ref float, ref float, int)"/> is a hand-unrolled Vector256 loop with four
/// accumulators; the <c>hnsw</c> benchmark compares it with <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
/// on 384 floats (see docs/hnsw.md for the figures) and the graph uses whichever is faster.
/// </remarks>
public static class VectorMath
{
    /// <summary>Dot product through <see cref="TensorPrimitives"/>.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Dot(a, b);

    /// <summary>Scales <paramref name="vector"/> to unit length in place; returns the original norm.</summary>
    public static float Normalize(Span<float> vector)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0f)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return norm;
    }

    /// <summary>Dot product of two spans of equal length with the hand-unrolled kernel.</summary>
    public static float DotUnrolled(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Lengths differ: {a.Length} and {b.Length}.", nameof(b));
        }

        return Dot(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), a.Length);
    }

    /// <summary>Hints the CPU to fetch the first cache lines of a vector that is about to be read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(ref float start)
    {
        if (Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref start);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + 64);
            Sse.Prefetch0(p + 128);
            Sse.Prefetch0(p + 192);
        }
    }

    /// <summary>Hints the CPU to fetch the cache lines of a vector from its fifth line to its end (the first four: <see cref="Prefetch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchRest(ref float start, int length)
    {
        if (Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref start);
            byte* end = p + ((nint)length * sizeof(float));
            for (byte* line = p + 256; line < end; line += 64)
            {
                Sse.Prefetch0(line);
            }
        }
    }

    /// <summary>
    /// Dot product of <paramref name="length"/> floats starting at <paramref name="a"/> and
    /// <paramref name="b"/>. No bounds checks: callers own the offsets.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Dot(ref float a, ref float b, int length)
    {
        nuint i = 0;
        nuint n = (nuint)length;
        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            Vector256<float> s0 = Vector256<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
            nuint end32 = n & ~(nuint)31;
            for (; i < end32; i += 32)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 8), Vector256.LoadUnsafe(ref b, i + 8), s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 16), Vector256.LoadUnsafe(ref b, i + 16), s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i + 24), Vector256.LoadUnsafe(ref b, i + 24), s3);
            }

            nuint end8 = n & ~(nuint)7;
            for (; i < end8; i += 8)
            {
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref a, i), Vector256.LoadUnsafe(ref b, i), s0);
            }

            float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
            for (; i < n; i++)
            {
                sum += Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
            }

            return sum;
        }

        return TensorPrimitives.Dot(
            MemoryMarshal.CreateReadOnlySpan(ref a, length),
            MemoryMarshal.CreateReadOnlySpan(ref b, length));
    }
}
