using System.Text;
using SemanticRouter.IO;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.IO;

public sealed class AtomicWriteTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RecoverDirectory_CrashBetweenTheTwoRenames_PutsTheOldVersionBack_RemovesTheRest()
    {
        // What a kill -9 inside Swap leaves: the target renamed aside, the new version still staged.
        _dir.Write(".index.old-0123/manifest.json", "previous");
        _dir.Write(".index.tmp-1-abcd/manifest.json", "half-written");
        var target = System.IO.Path.Combine(_dir.Path, "index");

        Assert.Equal(2, AtomicWrite.RecoverDirectory(target));

        Assert.Equal("previous", File.ReadAllText(System.IO.Path.Combine(target, "manifest.json")));
        Assert.Equal(["index"], Directory.EnumerateDirectories(_dir.Path).Select(System.IO.Path.GetFileName));
    }

    [Fact]
    public void RecoverDirectory_TargetPresent_RemovesStaleOldVersions()
    {
        _dir.Write("index/manifest.json", "current");
        _dir.Write(".index.old-0123/manifest.json", "previous");
        _dir.Write(".other.old-0123/keep", "not this directory's");
        var target = System.IO.Path.Combine(_dir.Path, "index");

        Assert.Equal(1, AtomicWrite.RecoverDirectory(target));

        Assert.Equal("current", File.ReadAllText(System.IO.Path.Combine(target, "manifest.json")));
        Assert.Equal([".other.old-0123", "index"], Directory.EnumerateDirectories(_dir.Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal));
    }

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
