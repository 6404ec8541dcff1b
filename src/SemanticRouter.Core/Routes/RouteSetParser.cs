using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Routes;

/// <summary>One input file: the path used in messages and its bytes (read once, so the hash and the
/// parse see the same content).</summary>
internal readonly record struct RouteSourceFile(string Path, byte[] Content)
{
    internal bool IsModelCatalog => RouteCatalog.IsModelCatalogFileName(System.IO.Path.GetFileName(Path));
}

/// <summary>
/// Parses and validates a set of route files plus one model catalogue, collecting every error with its
/// position. Produces routes only when no error was found.
/// </summary>
internal sealed partial class RouteSetParser
{
    private static readonly string[] ModelsFileKeys = ["models"];
    private static readonly string[] RouteFileKeys = ["defaults", "routes"];
    private static readonly string[] DefaultsKeys = ["threshold", "targets", "metadata"];
    private static readonly string[] ModelKeys = ["name", "provider", "description", "cost", "max_context", "metadata"];
    private static readonly string[] CostKeys = ["input", "output"];
    private static readonly string[] RouteKeys = ["name", "description", "utterances", "targets", "threshold", "metadata"];
    private static readonly string[] TargetKeys = ["model", "prior"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly List<RouteValidationError> errors = [];
    private readonly List<TargetModel> models = [];
    private readonly Dictionary<string, TargetModel> modelsByName = new(StringComparer.Ordinal);
    private readonly List<Route> routes = [];
    private readonly Dictionary<string, (string File, int Line, int Column)> routeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Route, string File, int Line)> utteranceOwners = new(StringComparer.Ordinal);
    private bool modelCatalogLoaded;

    internal IReadOnlyList<RouteValidationError> Errors => errors;

    internal IReadOnlyList<Route> Routes => routes;

    internal IReadOnlyList<TargetModel> Models => models;

    /// <summary>Parses <paramref name="files"/>; <paramref name="modelsOnly"/> skips the route files.</summary>
    internal void Parse(IReadOnlyList<RouteSourceFile> files, string locationForMissingCatalog, bool modelsOnly = false, bool forceCatalog = false)
    {
        var catalogs = forceCatalog ? files.ToList() : files.Where(f => f.IsModelCatalog).ToList();
        if (catalogs.Count == 0)
        {
            Error(locationForMissingCatalog, 0, 0, "no model catalogue: expected a models.yaml declaring the target models");
        }

        foreach (var extra in catalogs.Skip(1))
        {
            Error(extra.Path, 0, 0, $"a second model catalogue; '{catalogs[0].Path}' is already the catalogue");
        }

        if (catalogs.Count > 0)
        {
            var root = LoadRoot(catalogs[0], isCatalog: true);
            if (root is not null)
            {
                ParseModelsFile(catalogs[0].Path, root);
                modelCatalogLoaded = true;
            }
        }

        if (modelsOnly)
        {
            return;
        }

        // Reading the YAML is most of the work and each file's is independent, so large sets read their
        // files side by side (a 100k-utterance index starts this much sooner); what crosses files (names,
        // duplicate utterances) is then checked in file order, so the errors and their order are the same.
        var routeFiles = files.Where(f => !f.IsModelCatalog).ToList();
        var loaded = new (YamlMappingNode? Root, List<RouteValidationError> Errors)[routeFiles.Count];
        void Load(int i)
        {
            var own = new RouteSetParser();
            loaded[i] = (own.LoadRoot(routeFiles[i], isCatalog: false), own.errors);
        }

        if (routeFiles.Count > 1 && routeFiles.Sum(f => (long)f.Content.Length) >= ParallelReadBytes)
        {
            Parallel.For(0, routeFiles.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, Load);
        }
        else
        {
            for (int i = 0; i < routeFiles.Count; i++)
            {
                Load(i);
            }
        }

        for (int i = 0; i < routeFiles.Count; i++)
        {
            errors.AddRange(loaded[i].Errors);
            if (loaded[i].Root is { } root)
            {
                ParseRouteFile(routeFiles[i].Path, root);
            }
        }
    }

    /// <summary>Route files of at least this many bytes in all are read in parallel (below, threads cost more than they save).</summary>
    private const long ParallelReadBytes = 256 * 1024;

    // ---- YAML loading -------------------------------------------------------------------------

    internal static string Decode(byte[] content)
    {
        var span = content.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        return StrictUtf8.GetString(span);
    }

    private YamlMappingNode? LoadRoot(RouteSourceFile file, bool isCatalog)
    {
        string text;
        try
        {
            text = Decode(file.Content);
        }
        catch (DecoderFallbackException)
        {
            Error(file.Path, 0, 0, "not valid UTF-8 text");
            return null;
        }

        var stream = new YamlStream();
        var parser = new TrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            Error(file.Path, Math.Max(1, (int)e.Start.Line), Math.Max(1, (int)e.Start.Column), "YAML syntax error: " + CleanYamlMessage(e));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner occasionally fails without a YamlException (e.g. an unclosed flow
            // sequence at the end of a file); report it after the last event that parsed.
            var at = parser.LastGoodEnd;
            Error(file.Path, Math.Max(1, (int)at.Line), Math.Max(1, (int)at.Column), "YAML syntax error after this point (unclosed bracket or quote?)");
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            Error(file.Path, 0, 0, isCatalog ? "empty file: expected 'models:'" : "empty file: expected 'routes:'");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            Error(file.Path, second, "only one YAML document per file is allowed");
            return null;
        }

        var root = stream.Documents[0].RootNode;
        if (root is not YamlMappingNode mapping)
        {
            Error(file.Path, root, isCatalog ? "expected a mapping with key 'models'" : "expected a mapping with key 'routes'");
            return null;
        }

        return mapping;
    }

    /// <summary>Remembers where the last successfully parsed event ended.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        public Mark LastGoodEnd { get; private set; } = Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } current)
            {
                LastGoodEnd = current.End;
            }

            return inner.MoveNext();
        }
    }

    private static string CleanYamlMessage(YamlException e)
    {
        var message = YamlPositionPrefix().Replace(e.Message, "");
        if (e.InnerException is { } inner && !string.IsNullOrWhiteSpace(inner.Message) && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += " (" + YamlPositionPrefix().Replace(inner.Message, "") + ")";
        }

        return message.ReplaceLineEndings(" ").Trim();
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.CultureInvariant)]
    private static partial Regex YamlPositionPrefix();
}
