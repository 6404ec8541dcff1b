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

    [Fact]
    public void OneLine_JoinsLinesAndBoundsTheLength()
    {
        Assert.Equal("a b  c", ErrorMessage.OneLine("a\nb\r\n c"));
        var long_ = ErrorMessage.OneLine(new string('x', 100_000));
        Assert.Equal(ErrorMessage.MaxMessageChars, long_.Length);
    }

    [Fact]
    public void Quote_ShortInputAsItIs_LongInputCutAndSaysHowLong()
    {
        Assert.Equal("gpt-4o", ErrorMessage.Quote("gpt-4o"));
        var quoted = ErrorMessage.Quote(new string('y', 16_384));
        Assert.Equal(new string('y', 59) + "… (16384 chars)", quoted);
        // A surrogate pair is never split.
        var emoji = ErrorMessage.Quote(new string('a', 58) + "😀😀😀");
        Assert.DoesNotContain('\uFFFD', emoji);
        Assert.True(emoji.Length < 80);
    }
}
