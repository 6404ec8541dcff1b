using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using SemanticRouter.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Routes;

/// <summary>Why <see cref="RouteFileEditor"/> refused an edit.</summary>
public enum RouteEditErrorKind
{
    /// <summary>No route has that name.</summary>
    UnknownRoute = 1,
    /// <summary>The utterance (trimmed, case-insensitive, white space collapsed) is already in a route, or twice in the request.</summary>
    DuplicateUtterance = 2,
    /// <summary>The utterance is empty or white space.</summary>
    EmptyUtterance = 3,
    /// <summary>The route's utterance list is written in a form the editor cannot extend safely; nothing was written.</summary>
    UnsupportedLayout = 4,
}

/// <summary>A refused edit; nothing was written. Its <see cref="RouterException.Code"/> follows <see cref="Kind"/>.</summary>
public sealed class RouteEditException : RouterException
{
    public RouteEditException(RouteEditErrorKind kind, string message)
        : base(CodeOf(kind), message)
    {
        Kind = kind;
    }

    public RouteEditException()
        : base(RouterErrorCode.InvalidArgument, "The route edit was refused.")
    {
    }

    public RouteEditException(string message)
        : base(RouterErrorCode.InvalidArgument, message)
    {
    }

    public RouteEditException(string message, Exception innerException)
        : base(RouterErrorCode.InvalidArgument, message, innerException)
    {
    }

    public RouteEditErrorKind Kind { get; }

    // An unsupported layout is no fault of the request: the route file cannot be extended safely as it is.
    private static RouterErrorCode CodeOf(RouteEditErrorKind kind) => kind switch
    {
        RouteEditErrorKind.UnknownRoute => RouterErrorCode.NotFound,
        RouteEditErrorKind.DuplicateUtterance => RouterErrorCode.AlreadyExists,
        RouteEditErrorKind.UnsupportedLayout => RouterErrorCode.FailedPrecondition,
        _ => RouterErrorCode.InvalidArgument,
    };
}

/// <summary>What an edit did.</summary>
/// <param name="File">The route file that was rewritten (unchanged when nothing was added).</param>
/// <param name="Route">The route's name.</param>
/// <param name="Added">Utterances appended, trimmed, in order.</param>
/// <param name="SkippedDuplicates">Utterances not added because they were already present (only with skipDuplicates).</param>
public sealed record RouteEditResult(string File, string Route, IReadOnlyList<string> Added, IReadOnlyList<string> SkippedDuplicates);

/// <summary>
/// Adds utterances to route files in place. Only the new lines are written: everything else in the file
/// (comments, blank lines, ordering, quoting, line endings, a BOM) stays byte-for-byte. The edit is
/// validated by re-loading the whole routes directory with the new content before anything touches the
/// disk, and the file is replaced atomically (temporary file in the same directory, then rename).
/// </summary>
/// <remarks>
/// Thread-safety: calls for the same routes directory are serialised within this process (one lock per
/// full directory path), so concurrent callers such as gRPC requests are safe. Other processes editing
/// the same files at the same moment are not coordinated; the last rename wins.
/// </remarks>
public static partial class RouteFileEditor
{
    private static readonly ConcurrentDictionary<string, object> Locks = new(StringComparer.Ordinal);

    /// <summary>Appends one utterance to <paramref name="routeName"/>.</summary>
    /// <exception cref="RouteEditException">Unknown route, duplicate or empty utterance, or an unsupported layout.</exception>
    /// <exception cref="RouteValidationException">The route files were already invalid.</exception>
    public static RouteEditResult AddUtterance(string routesDirectory, string routeName, string utterance) =>
        AddUtterances(routesDirectory, routeName, [utterance]);

    /// <summary>
    /// Appends <paramref name="utterances"/> to <paramref name="routeName"/> in one atomic write. Duplicates
    /// (of any route's utterance, or within the batch) refuse the whole batch unless
    /// <paramref name="skipDuplicates"/> is set, in which case they are reported in
    /// <see cref="RouteEditResult.SkippedDuplicates"/>.
    /// </summary>
    /// <exception cref="RouteEditException">Unknown route, duplicate or empty utterance, or an unsupported layout.</exception>
    /// <exception cref="RouteValidationException">The route files were already invalid.</exception>
    public static RouteEditResult AddUtterances(string routesDirectory, string routeName, IEnumerable<string> utterances, bool skipDuplicates = false)
    {
        ArgumentNullException.ThrowIfNull(routesDirectory);
        ArgumentNullException.ThrowIfNull(routeName);
        ArgumentNullException.ThrowIfNull(utterances);
        var gate = Locks.GetOrAdd(Path.GetFullPath(routesDirectory), _ => new object());
        lock (gate)
        {
            return AddLocked(routesDirectory, routeName, utterances.ToList(), skipDuplicates);
        }
    }

    private static RouteEditResult AddLocked(string directory, string routeName, List<string> requested, bool skipDuplicates)
    {
        var paths = RouteCatalog.EnumerateFiles(directory);
        var contents = paths.Select(p => (Path: p, Content: File.ReadAllBytes(p))).ToList();
        var modelsLocation = Path.Combine(directory, "models.yaml");
        var catalog = RouteCatalog.FromContents(contents, modelsLocation);

        if (!catalog.TryGetRoute(routeName, out var route))
        {
            var hint = RouteSetParser.Suggest(routeName, catalog.Routes.Select(r => r.Name));
            throw new RouteEditException(RouteEditErrorKind.UnknownRoute,
                $"unknown route '{routeName}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}");
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in catalog.Routes)
        {
            foreach (var u in r.Utterances)
            {
                owners[RouteNames.DuplicateKey(u)] = r.Name;
            }
        }

        var added = new List<string>();
        var skipped = new List<string>();
        var duplicates = new List<string>();
        foreach (var raw in requested)
        {
            var text = (raw ?? "").Trim();
            if (text.Length == 0)
            {
                throw new RouteEditException(RouteEditErrorKind.EmptyUtterance, "empty utterance");
            }

            var key = RouteNames.DuplicateKey(text);
            if (owners.TryGetValue(key, out var owner))
            {
                (skipDuplicates ? skipped : duplicates).Add(owner == routeName
                    ? $"\"{text}\" is already in route '{owner}'"
                    : $"\"{text}\" already belongs to route '{owner}'");
                if (skipDuplicates)
                {
                    skipped[^1] = text;
                }

                continue;
            }

            owners.Add(key, routeName);
            added.Add(text);
        }

        if (duplicates.Count > 0)
        {
            throw new RouteEditException(RouteEditErrorKind.DuplicateUtterance, "duplicate utterance: " + string.Join("; ", duplicates));
        }

        var index = contents.FindIndex(c => c.Path == route.SourceFile);
        if (added.Count == 0)
        {
            return new RouteEditResult(route.SourceFile, routeName, added, skipped);
        }

        var original = contents[index].Content;
        var newContent = Insert(route.SourceFile, original, routeName, added);

        // Re-load everything with the edited file: the edit must leave a valid set in which this route
        // gained exactly the new utterances and nothing else moved.
        contents[index] = (route.SourceFile, newContent);
        RouteCatalog edited;
        try
        {
            edited = RouteCatalog.FromContents(contents, modelsLocation);
        }
        catch (RouteValidationException e)
        {
            throw new RouteEditException(RouteEditErrorKind.UnsupportedLayout,
                $"{route.SourceFile}: the edit would not re-parse ({e.Errors[0]}); nothing was written");
        }

        var expected = route.Utterances.Concat(added).ToList();
        if (!edited[routeName].Utterances.SequenceEqual(expected, StringComparer.Ordinal) || edited.UtteranceCount != catalog.UtteranceCount + added.Count)
        {
            throw new RouteEditException(RouteEditErrorKind.UnsupportedLayout,
                $"{route.SourceFile}: route '{routeName}' is laid out in a way the editor cannot extend safely; nothing was written");
        }

        AtomicWrite.ReplaceFile(route.SourceFile, newContent);
        return new RouteEditResult(route.SourceFile, routeName, added, skipped);
    }

    /// <summary>Returns <paramref name="content"/> with <paramref name="utterances"/> appended to the route's list.</summary>
    internal static byte[] Insert(string file, byte[] content, string routeName, IReadOnlyList<string> utterances)
    {
        var hasBom = content.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
        var text = RouteSetParser.Decode(content);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var list = (YamlSequenceNode)root.Children[new YamlScalarNode("routes")];
        var routeMap = list.Children.OfType<YamlMappingNode>()
            .First(m => m.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode s && s.Value?.Trim() == routeName);
        var sequence = (YamlSequenceNode)routeMap.Children[new YamlScalarNode("utterances")];
        var last = sequence.Children[^1];
        var lastStyle = (last as YamlScalarNode)?.Style ?? ScalarStyle.DoubleQuoted;
        var lines = LineStarts(text);
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";

        string edited;
        if (sequence.Style == YamlDotNet.Core.Events.SequenceStyle.Flow)
        {
            // Right after the last item: skip spaces, comments and a trailing comma up to the ']'.
            var at = Offset(lines, text, last.End);
            var i = at;
            var trailingComma = -1;
            while (i < text.Length && text[i] != ']')
            {
                if (text[i] == '#')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }

                    continue;
                }

                if (text[i] == ',' && trailingComma < 0)
                {
                    trailingComma = i;
                }
                else if (!char.IsWhiteSpace(text[i]))
                {
                    throw Unsupported(file, routeName);
                }

                i++;
            }

            if (i >= text.Length)
            {
                throw Unsupported(file, routeName);
            }

            var items = string.Join(", ", utterances.Select(u => lastStyle == ScalarStyle.SingleQuoted ? YamlText.SingleQuoted(u) ?? YamlText.DoubleQuoted(u) : YamlText.DoubleQuoted(u)));
            var insertion = trailingComma >= 0 ? " " + items + "," : ", " + items;
            if (trailingComma >= 0)
            {
                at = trailingComma + 1;
            }

            edited = text[..at] + insertion + text[at..];
        }
        else
        {
            var lastLine = (int)last.End.Line;
            var insertAt = last.End.Column <= 1 ? LineStart(lines, text, lastLine) : LineStart(lines, text, lastLine + 1);
            var prefix = ItemPrefix(text, lines, last) ?? new string(' ', Math.Max(0, (int)sequence.Start.Column - 1)) + "- ";
            var sb = new StringBuilder();
            if (insertAt == text.Length && text.Length > 0 && text[^1] != '\n')
            {
                sb.Append(newline);
            }

            foreach (var u in utterances)
            {
                var scalar = lastStyle switch
                {
                    ScalarStyle.Plain => YamlText.Scalar(u, preferPlain: true),
                    ScalarStyle.SingleQuoted => YamlText.SingleQuoted(u) ?? YamlText.DoubleQuoted(u),
                    _ => YamlText.DoubleQuoted(u),
                };
                sb.Append(prefix).Append(scalar).Append(newline);
            }

            edited = text[..insertAt] + sb + text[insertAt..];
        }

        var bytes = Encoding.UTF8.GetBytes(edited);
        return hasBom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
    }

    /// <summary>The "    - " before the last item, when the item starts on its dash's line.</summary>
    private static string? ItemPrefix(string text, List<int> lines, YamlNode item)
    {
        var lineStart = LineStart(lines, text, (int)item.Start.Line);
        var start = Offset(lines, text, item.Start);
        if (start < lineStart || start > text.Length)
        {
            return null;
        }

        var prefix = text[lineStart..start];
        return DashPrefix().IsMatch(prefix) ? prefix : null;
    }

    [GeneratedRegex(@"^ *- +$", RegexOptions.CultureInvariant)]
    private static partial Regex DashPrefix();

    private static RouteEditException Unsupported(string file, string routeName) =>
        new(RouteEditErrorKind.UnsupportedLayout, $"{file}: cannot find where to append to route '{routeName}'; nothing was written");

    private static List<int> LineStarts(string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    /// <summary>Offset of the start of 1-based <paramref name="line"/>; the text's length past the last line.</summary>
    private static int LineStart(List<int> lines, string text, int line) =>
        line - 1 < lines.Count ? lines[Math.Max(0, line - 1)] : text.Length;

    private static int Offset(List<int> lines, string text, Mark mark) =>
        Math.Min(text.Length, LineStart(lines, text, (int)mark.Line) + (int)mark.Column - 1);
}
