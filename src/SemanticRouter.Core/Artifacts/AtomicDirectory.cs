namespace SemanticRouter.Artifacts;

/// <summary>
/// Writes a directory so that readers see either the old complete one or the new complete one,
/// never a mixture: everything goes to a temporary sibling, which is then renamed into place.
/// A crash mid-write leaves the previous directory untouched (and a stale temp dir that the next
/// write removes).
/// </summary>
internal static class AtomicDirectory
{
    /// <summary>Runs <paramref name="write"/> on a fresh temp directory beside <paramref name="target"/>,
    /// then swaps it into place.</summary>
    internal static void Write(string target, Action<string> write)
    {
        target = Path.GetFullPath(target.TrimEnd(Path.DirectorySeparatorChar));
        var parent = Path.GetDirectoryName(target) ?? throw new ArgumentException("target has no parent", nameof(target));
        Directory.CreateDirectory(parent);
        var name = Path.GetFileName(target);
        foreach (var stale in Directory.EnumerateDirectories(parent, $".{name}.tmp-*"))
        {
            TryDelete(stale);
        }

        var temp = Path.Combine(parent, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            FsyncDirectoryFiles(temp);
            Swap(temp, target, parent, name);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    // Directory.Move cannot replace an existing directory, so the old one is first renamed aside.
    // Between the two renames the target name is briefly absent; readers that find it missing retry
    // or fall back to the ".old" copy (see ArtifactReader), so no reader ever sees a partial artefact.
    private static void Swap(string temp, string target, string parent, string name)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(temp, target);
            return;
        }

        var old = Path.Combine(parent, $".{name}.old-{Guid.NewGuid():N}");
        Directory.Move(target, old);
        try
        {
            Directory.Move(temp, target);
        }
        catch
        {
            Directory.Move(old, target);
            throw;
        }

        TryDelete(old);
    }

    private static void FsyncDirectoryFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.ReadWrite);
            RandomAccess.FlushToDisk(handle);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A stale temp dir is harmless; the next write tries again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
