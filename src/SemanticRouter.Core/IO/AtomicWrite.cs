namespace SemanticRouter.IO;

/// <summary>
/// The one way this program replaces a file or a directory: readers see the old complete one or the new
/// complete one, never a mixture. Everything is written to a temporary sibling, flushed to disk, then
/// renamed into place; a crash mid-write leaves the previous version untouched (and a stale temporary
/// sibling, which the next write of a directory removes).
/// </summary>
/// <remarks>
/// Used for index artefacts, route files, ranking settings and route-head parameters, imported data sets
/// and downloaded models. Anything that must survive a crash as a whole goes through here.
/// </remarks>
internal static class AtomicWrite
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> (temporary file, fsync, rename).</summary>
    internal static void ReplaceFile(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="fill"/> on a fresh temporary directory beside <paramref name="target"/>, flushes
    /// every file it wrote, then swaps it into place. If <paramref name="fill"/> throws, nothing changes.
    /// </summary>
    internal static void ReplaceDirectory(string target, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var staged = Stage(target);
        try
        {
            fill(staged.Temp);
            staged.Commit();
        }
        catch
        {
            TryDelete(staged.Temp);
            throw;
        }
    }

    /// <summary>As <see cref="ReplaceDirectory"/>, for a <paramref name="fill"/> that does I/O of its own (a download).</summary>
    internal static async Task ReplaceDirectoryAsync(string target, Func<string, Task> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var staged = Stage(target);
        try
        {
            await fill(staged.Temp).ConfigureAwait(false);
            staged.Commit();
        }
        catch
        {
            TryDelete(staged.Temp);
            throw;
        }
    }

    /// <summary>
    /// Finishes what a crash in the middle of a directory swap left beside <paramref name="target"/>: when the target
    /// is missing but the previous version was renamed aside (<c>.name.old-*</c>), that version is put back; then
    /// every other leftover (<c>.name.old-*</c>, <c>.name.tmp-*</c>) is removed. Call it before opening the directory
    /// at start-up, when no other process writes it.
    /// </summary>
    /// <returns>How many leftovers were restored or removed.</returns>
    public static int RecoverDirectory(string target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target));
        var parent = Path.GetDirectoryName(target);
        if (parent is null || !Directory.Exists(parent))
        {
            return 0;
        }

        var name = Path.GetFileName(target);
        int count = 0;
        var olds = Directory.EnumerateDirectories(parent, $".{name}.old-*").Select(d => new DirectoryInfo(d)).OrderByDescending(d => d.LastWriteTimeUtc).ToList();
        if (!Directory.Exists(target) && olds.Count > 0)
        {
            // Crashed between the two renames of Swap: the old version is the complete one.
            Directory.Move(olds[0].FullName, target);
            olds.RemoveAt(0);
            count++;
        }

        foreach (var leftover in olds.Select(d => d.FullName).Concat(Directory.EnumerateDirectories(parent, $".{name}.tmp-*")))
        {
            TryDelete(leftover);
            count++;
        }

        return count;
    }

    /// <summary>A fresh temporary sibling of <paramref name="target"/> (stale ones of earlier crashes removed).</summary>
    private static StagedDirectory Stage(string target)
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
        return new StagedDirectory(temp, target, parent, name);
    }

    private sealed record StagedDirectory(string Temp, string Target, string Parent, string Name)
    {
        public void Commit()
        {
            FsyncDirectoryFiles(Temp);
            Swap(Temp, Target, Parent, Name);
        }
    }

    // Directory.Move cannot replace an existing directory, so the old one is first renamed aside.
    // Between the two renames the target name is briefly absent; a reader that finds it missing fails
    // cleanly (no manifest) and retries, so no reader ever sees a partial directory.
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
            // A stale temporary directory is harmless; the next write tries again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
