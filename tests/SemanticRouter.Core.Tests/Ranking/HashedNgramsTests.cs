using SemanticRouter.Ranking;

namespace SemanticRouter.Core.Tests.Ranking;

public class HashedNgramsTests
{
    [Fact]
    public void Features_AreSortedDistinctBucketsWithTheBias()
    {
        var h = new HashedNgrams(bucketBits: 12, maxN: 3);
        var f = h.Features("the cat sat on the mat");

        Assert.Equal(HashedNgrams.BiasBucket, f[0]);
        Assert.Equal(f.Distinct().Order(), f);
        Assert.All(f, b => Assert.InRange(b, 0, h.Buckets - 1));

        // 5 distinct words + 5 bigrams + 4 trigrams, plus the bias (collisions in 4,096 buckets are unlikely here)
        Assert.Equal(1 + 5 + 5 + 4, f.Length);
    }

    [Fact]
    public void Features_IgnoreCaseAndPunctuation_AndAreStableAcrossInstances()
    {
        var a = new HashedNgrams().Features("Write a Python function, please!");
        var b = new HashedNgrams().Features("write a python   function please");
        Assert.Equal(a, b);
    }

    [Fact]
    public void Features_WordOrderMattersThroughBigrams()
    {
        var h = new HashedNgrams(maxN: 2);
        var ab = h.Features("dog bites man");
        var ba = h.Features("man bites dog");
        Assert.NotEqual(ab, ba);
        Assert.Equal(new HashedNgrams(maxN: 1).Features("dog bites man"), new HashedNgrams(maxN: 1).Features("man bites dog"));
    }

    [Fact]
    public void Features_OfTextWithoutWords_IsTheBiasAlone() =>
        Assert.Equal([HashedNgrams.BiasBucket], new HashedNgrams().Features(" ?! … "));

    [Fact]
    public void Features_NonLatinLettersAreWords() =>
        Assert.True(new HashedNgrams().Features("Übersetze das ins Französische 你好").Length > 1);

    [Theory]
    [InlineData(3, 3)]
    [InlineData(25, 3)]
    [InlineData(19, 0)]
    [InlineData(19, 6)]
    public void Constructor_OutOfRange_Throws(int bits, int maxN) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new HashedNgrams(bits, maxN));
}
