using FsCheck.Xunit;
using SemanticRouter.Routes;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Core.Tests.Routes;

public class YamlTextTests
{
    private static string ReadBack(string scalar)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader("- " + scalar + "\n"));
        return ((YamlScalarNode)((YamlSequenceNode)stream.Documents[0].RootNode).Children[0]).Value!;
    }

    private static bool Usable(string? s) => s is not null && !s.Any(char.IsSurrogate);

    [Property(MaxTest = 500)]
    public bool DoubleQuoted_RoundTripsAnyString(string? value) =>
        !Usable(value) || ReadBack(YamlText.DoubleQuoted(value!)) == value;

    [Property(MaxTest = 500)]
    public bool Scalar_PreferPlain_RoundTripsAnyTrimmedString(string? value)
    {
        if (!Usable(value) || value!.Trim().Length == 0)
        {
            return true;
        }

        var trimmed = value.Trim();
        return ReadBack(YamlText.Scalar(trimmed, preferPlain: true)) == trimmed;
    }

    [Theory]
    [InlineData("hello world", true)]
    [InlineData("what's 2+2?", true)]
    [InlineData("yes", false)]
    [InlineData("No", false)]
    [InlineData("null", false)]
    [InlineData("12", false)]
    [InlineData("1e3", false)]
    [InlineData("2024-01-01", false)]
    [InlineData("a: b", false)]
    [InlineData("a #b", false)]
    [InlineData("-dash", false)]
    [InlineData("[x]", false)]
    [InlineData("trailing:", false)]
    public void IsPlainSafe_ConservativeForSpecialValues(string value, bool safe) =>
        Assert.Equal(safe, YamlText.IsPlainSafe(value));
}
