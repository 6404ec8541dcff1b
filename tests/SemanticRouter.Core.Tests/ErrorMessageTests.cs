namespace SemanticRouter.Core.Tests;

public class ErrorMessageTests
{
    [Fact]
    public void Of_ArgumentOutOfRange_DropsTheParameterAndActualValue()
    {
        var e = new ArgumentOutOfRangeException("value", 0, "K must be in [1, 1000].");
        Assert.Equal("K must be in [1, 1000].", ErrorMessage.Of(e));
    }

    [Fact]
    public void Of_OtherException_IsItsMessage() =>
        Assert.Equal("disk full", ErrorMessage.Of(new IOException("disk full")));
}
