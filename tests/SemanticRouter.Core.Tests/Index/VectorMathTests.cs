using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Index;

public sealed class VectorMathTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(31)]
    [InlineData(384)]
    [InlineData(1001)]
    public void DotUnrolled_MatchesScalarSum(int length)
    {
        var random = new Random(length);
        float[] a = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        double expected = a.Zip(b, (x, y) => (double)x * y).Sum();
        Assert.Equal(expected, VectorMath.DotUnrolled(a, b), 3);
        Assert.Equal(expected, VectorMath.Dot(a, b), 3);
    }
}
