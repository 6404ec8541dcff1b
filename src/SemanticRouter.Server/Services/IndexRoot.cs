namespace SemanticRouter.Server.Services;

/// <summary>
/// Where ReloadIndex may load from: directories under one configured root
/// (<see cref="Hosting.RouterServerOptions.IndexRoot"/>; by default the configured index's parent), symbolic links
/// followed, so a request cannot reach a file the root does not hold. A path is checked against the root before
/// anything is looked up, so a refusal says nothing about what exists outside it; messages name paths relative
/// to the root only.
/// </summary>
internal sealed class IndexRoot
{
    // Artefacts hold a handful of files; a tree this large is not one.
    private const int MaxEntries = 10_000;

    private const int MaxLinkDepth = 40;

    private readonly string _root;

    public IndexRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = RealPath(Path.GetFullPath(root), 0) ?? Path.GetFullPath(root);
    }

    /// <summary>The root, as it names paths in messages (relative paths are relative to it).</summary>
    public string Root => _root;

    /// <summary>
    /// The absolute directory <paramref name="requested"/> names (relative to the root, or absolute), once it and
    /// every link inside it are checked to stay under the root.
    /// </summary>
    /// <exception cref="RouterException">PERMISSION_DENIED outside the root.</exception>
    public string Resolve(string requested)
    {
        string full = Path.GetFullPath(requested, _root);
        string shown = ErrorMessage.Quote(requested);
        if (!IsUnder(full))
        {
            throw new RouterException(RouterErrorCode.PermissionDenied, $"path '{shown}' is outside the index root; ReloadIndex loads only from under it.");
        }

        string? real = RealPath(full, 0);
        if (real is null || !IsUnder(real))
        {
            throw new RouterException(RouterErrorCode.PermissionDenied, $"path '{shown}' leads outside the index root (a symbolic link); ReloadIndex loads only from under it.");
        }

        if (!Directory.Exists(real))
        {
            return real; // the router says it is not there, in a message Sanitize makes relative
        }

        int entries = 0;
        foreach (var entry in new DirectoryInfo(real).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (++entries > MaxEntries)
            {
                throw new RouterException(RouterErrorCode.FailedPrecondition, $"'{Relative(full)}' holds more than {MaxEntries} entries; it is not an index artefact.");
            }

            if (entry.LinkTarget is not null && (RealPath(entry.FullName, 0) is not { } target || !IsUnder(target)))
            {
                throw new RouterException(RouterErrorCode.PermissionDenied, $"'{Relative(entry.FullName)}' is a symbolic link that leads outside the index root.");
            }
        }

        return real;
    }

    /// <summary><paramref name="message"/> with the root's absolute path taken out, so a reply names paths relative to it.</summary>
    public string Sanitize(string message) =>
        message.Replace(_root + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal).Replace(_root, "<index root>", StringComparison.Ordinal);

    private string Relative(string path) => ErrorMessage.Quote(Path.GetRelativePath(_root, path));

    private bool IsUnder(string path) =>
        path.Equals(_root, StringComparison.Ordinal) ||
        path.StartsWith(_root.EndsWith(Path.DirectorySeparatorChar) ? _root : _root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link in it followed (the parts that do not exist kept as they are); null for a loop.</summary>
    private static string? RealPath(string full, int depth)
    {
        if (depth > MaxLinkDepth)
        {
            return null;
        }

        string current = Path.GetPathRoot(full) ?? "/";
        foreach (string part in full[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is { } target)
            {
                string resolved = Path.GetFullPath(target, current);
                next = RealPath(resolved, depth + 1) ?? string.Empty;
                if (next.Length == 0)
                {
                    return null;
                }
            }

            current = next;
        }

        return current;
    }
}
