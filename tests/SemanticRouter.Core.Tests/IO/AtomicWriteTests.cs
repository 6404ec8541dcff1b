using System.Text;
using SemanticRouter.IO;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.IO;

public sealed class AtomicWriteTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ReplaceFile_ReplacesContent_LeavesNoTemp()
    {
        var path = _dir.Write("x.yaml", "old");

        AtomicWrite.ReplaceFile(path, Encoding.UTF8.GetBytes("new"));

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["x.yaml"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ReplaceDirectory_SwapsInTheNewContent_LeavesNoTemp()
    {
        var target = Path.Combine(_dir.Path, "index");
        _dir.Write("index/old.txt", "old");

        AtomicWrite.ReplaceDirectory(target, temp => File.WriteAllText(Path.Combine(temp, "new.txt"), "new"));

        Assert.Equal(["new.txt"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(["index"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ReplaceDirectory_FillThrows_KeepsTheOldDirectory()
    {
        var target = Path.Combine(_dir.Path, "index");
        _dir.Write("index/old.txt", "old");

        Assert.Throws<InvalidDataException>(() => AtomicWrite.ReplaceDirectory(target, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "half.txt"), "half");
            throw new InvalidDataException("refused");
        }));
        await Assert.ThrowsAsync<InvalidDataException>(() => AtomicWrite.ReplaceDirectoryAsync(target, async temp =>
        {
            await File.WriteAllTextAsync(Path.Combine(temp, "half.txt"), "half", TestContext.Current.CancellationToken);
            throw new InvalidDataException("refused");
        }));

        Assert.Equal("old", File.ReadAllText(Path.Combine(target, "old.txt")));
        Assert.Equal(["index"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }
}
