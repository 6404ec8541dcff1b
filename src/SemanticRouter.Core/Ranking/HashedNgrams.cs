using System.Buffers;
using System.Text;

namespace SemanticRouter.Ranking;

/// <summary>
/// A query as a sparse bag of hashed word n-grams: lower-cased runs of letters and digits, every
/// n-gram of 1 to <see cref="MaxN"/> words hashed (xxHash32) into <see cref="Buckets"/> buckets,
/// each present bucket once (binary), so an example's features are a set of bucket ids. A hashing
/// trick rather than a vocabulary: no fitted state, the same ids on every replica and after every
/// restart, and unseen words cost nothing.
/// </summary>
public sealed class HashedNgrams
{
    /// <summary>Bucket 0 is always present: the intercept lives in the weights like any other feature.</summary>
    public const int BiasBucket = 0;

    public HashedNgrams(int bucketBits = 19, int maxN = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBits, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bucketBits, 24);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxN, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxN, 5);
        Buckets = 1 << bucketBits;
        MaxN = maxN;
    }

    /// <summary>Number of hash buckets (a power of two).</summary>
    public int Buckets { get; }

    /// <summary>Longest n-gram, in words.</summary>
    public int MaxN { get; }

    /// <summary>The distinct buckets of <paramref name="text"/>, ascending, <see cref="BiasBucket"/> included.</summary>
    public int[] Features(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = Words(text);
        var set = new HashSet<int> { BiasBucket };
        var mask = (uint)Buckets - 1;
        var scratch = new ArrayBufferWriter<byte>(256);
        for (var start = 0; start < words.Count; start++)
        {
            scratch.ResetWrittenCount();
            for (var n = 1; n <= MaxN && start + n <= words.Count; n++)
            {
                if (n > 1)
                {
                    scratch.Write(" "u8);
                }

                var word = words[start + n - 1];
                var span = scratch.GetSpan(Encoding.UTF8.GetMaxByteCount(word.Length));
                scratch.Advance(Encoding.UTF8.GetBytes(word, span));

                // The n-gram's length is in the seed, so "a b" and a one-word "a b" cannot collide by construction.
                var bucket = (int)(System.IO.Hashing.XxHash32.HashToUInt32(scratch.WrittenSpan, seed: n) & mask);
                set.Add(bucket == BiasBucket ? 1 : bucket);
            }
        }

        var features = set.ToArray();
        Array.Sort(features);
        return features;
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(Rune.ToLowerInvariant(rune).ToString());
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
