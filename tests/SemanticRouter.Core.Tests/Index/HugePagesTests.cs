using SemanticRouter.Index;

namespace SemanticRouter.Core.Tests.Index;

/// <summary>The huge-page advice is only advice: the array's content and use are unchanged, on any OS.</summary>
public class HugePagesTests
{
    [Theory]
    [InlineData(10)] // too small: left alone
    [InlineData(12_000_000)] // 48 MB, as a large index's vectors
    public void Advise_ArrayKeepsItsContentAndStaysWritable(int length)
    {
        var array = GC.AllocateUninitializedArray<float>(length);
        array[0] = 1;
        array[^1] = 2;

        HugePages.Advise(array);
        for (int i = 0; i < array.Length; i += 4096)
        {
            array[i] = i;
        }

        Assert.Equal(length > 4096 ? 4096f : 0f, array[length > 4096 ? 4096 : 0]);
        if (length % 4096 != 1)
        {
            Assert.Equal(2, array[^1]);
        }
    }
}
