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

        foreach (var file in files.Where(f => !f.IsModelCatalog))
        {
            var root = LoadRoot(file, isCatalog: false);
            if (root is not null)
            {
                ParseRouteFile(file.Path, root);
            }
        }
    }

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

    // ---- models.yaml --------------------------------------------------------------------------

    private void ParseModelsFile(string file, YamlMappingNode root)
    {
        var keys = CheckKeys(file, root, ModelsFileKeys, "the model catalogue");
        if (!keys.TryGetValue("models", out var modelsNode))
        {
            Error(file, root, "missing required key 'models'");
            return;
        }

        if (modelsNode is not YamlSequenceNode list)
        {
            Error(file, modelsNode, "'models' must be a list of models");
            return;
        }

        if (list.Children.Count == 0)
        {
            Error(file, list, "'models' is empty: declare at least one model");
        }

        foreach (var item in list.Children)
        {
            ParseModel(file, item);
        }
    }

    private void ParseModel(string file, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(file, node, "each model must be a mapping with 'name' and 'cost'");
            return;
        }

        var keys = CheckKeys(file, map, ModelKeys, "a model");
        var name = RequiredString(file, map, keys, "name", "model");
        if (name is not null && !RouteNames.IsValidModelName(name))
        {
            Error(file, keys["name"], $"invalid model name '{name}': use ASCII letters, digits and _ . - : / @ + (pattern {RouteNames.ModelPattern})");
            name = null;
        }

        double? input = null, output = null;
        if (!keys.TryGetValue("cost", out var costNode))
        {
            Error(file, map, $"model '{name}': missing required key 'cost' (with 'input' and 'output' per million tokens)");
        }
        else if (costNode is not YamlMappingNode cost)
        {
            Error(file, costNode, "'cost' must be a mapping with 'input' and 'output' (per million tokens)");
        }
        else
        {
            var costKeys = CheckKeys(file, cost, CostKeys, "'cost'");
            input = RequiredNumber(file, cost, costKeys, "input", "cost", 0, double.MaxValue, "a cost must be a number >= 0");
            output = RequiredNumber(file, cost, costKeys, "output", "cost", 0, double.MaxValue, "a cost must be a number >= 0");
        }

        int? maxContext = null;
        var contextOk = true;
        if (keys.TryGetValue("max_context", out var contextNode))
        {
            if (contextNode is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) && tokens > 0)
            {
                maxContext = tokens;
            }
            else
            {
                Error(file, contextNode, "'max_context' must be a positive whole number of tokens");
                contextOk = false;
            }
        }

        var provider = OptionalString(file, keys, "provider");
        var description = OptionalString(file, keys, "description");
        var metadata = OptionalMap(file, keys, "metadata");

        if (name is null || input is null || output is null || !contextOk)
        {
            return;
        }

        if (modelsByName.TryGetValue(name, out var first))
        {
            Error(file, keys["name"], $"duplicate model '{name}' (first declared at line {first.Line})");
            return;
        }

        var model = new TargetModel(name, input.Value, output.Value, maxContext)
        {
            Provider = provider,
            Description = description,
            Metadata = metadata ?? TargetModel.EmptyMetadata,
            Line = Line(map),
        };
        modelsByName.Add(name, model);
        models.Add(model);
    }

    // ---- route files --------------------------------------------------------------------------

    private sealed record Defaults(double? Threshold, IReadOnlyList<RouteTarget>? Targets, IReadOnlyDictionary<string, string>? Metadata, bool TargetsDeclared = false);

    private void ParseRouteFile(string file, YamlMappingNode root)
    {
        var keys = CheckKeys(file, root, RouteFileKeys, "a route file");
        var defaults = new Defaults(null, null, null);
        if (keys.TryGetValue("defaults", out var defaultsNode))
        {
            defaults = ParseDefaults(file, defaultsNode);
        }

        if (!keys.TryGetValue("routes", out var routesNode))
        {
            Error(file, root, "missing required key 'routes'");
            return;
        }

        if (routesNode is not YamlSequenceNode list)
        {
            Error(file, routesNode, "'routes' must be a list of routes");
            return;
        }

        foreach (var item in list.Children)
        {
            ParseRoute(file, item, defaults);
        }
    }

    private Defaults ParseDefaults(string file, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(file, node, "'defaults' must be a mapping (threshold, targets, metadata)");
            return new Defaults(null, null, null);
        }

        var keys = CheckKeys(file, map, DefaultsKeys, "'defaults'");
        var threshold = OptionalNumber(file, keys, "threshold", -1, 1, "'threshold' must be a number in [-1, 1] (cosine similarity)");
        IReadOnlyList<RouteTarget>? targets = null;
        if (keys.TryGetValue("targets", out var targetsNode))
        {
            targets = ParseTargets(file, targetsNode, "defaults");
        }

        return new Defaults(threshold, targets, OptionalMap(file, keys, "metadata"), keys.ContainsKey("targets"));
    }

    private void ParseRoute(string file, YamlNode node, Defaults defaults)
    {
        if (node is not YamlMappingNode map)
        {
            Error(file, node, "each route must be a mapping with 'name', 'description', 'utterances' and 'targets'");
            return;
        }

        var ok = errors.Count;
        var keys = CheckKeys(file, map, RouteKeys, "a route");
        var name = RequiredString(file, map, keys, "name", "route");
        var label = name is null ? "route" : $"route '{name}'";
        if (name is not null && !RouteNames.IsValidRouteName(name))
        {
            Error(file, keys["name"], $"invalid route name '{name}': use lower-case ASCII letters, digits, '_', '.' and '-', starting with a letter or digit (pattern {RouteNames.Pattern})");
        }
        else if (name is not null)
        {
            var nameNode = keys["name"];
            if (routeNames.TryGetValue(name, out var first))
            {
                Error(file, nameNode, $"duplicate route name '{name}' (first defined at {first.File}:{first.Line}:{first.Column})");
            }
            else
            {
                routeNames.Add(name, (file, Line(nameNode), Column(nameNode)));
            }
        }

        var description = RequiredString(file, map, keys, "description", label);

        var utterances = new List<string>();
        if (!keys.TryGetValue("utterances", out var utterancesNode))
        {
            Error(file, map, $"{label}: missing required key 'utterances'");
        }
        else if (utterancesNode is not YamlSequenceNode utteranceList)
        {
            Error(file, utterancesNode, $"{label}: 'utterances' must be a list of strings");
        }
        else
        {
            if (utteranceList.Children.Count == 0)
            {
                Error(file, utteranceList, $"{label}: 'utterances' is empty: give at least one example");
            }

            var local = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in utteranceList.Children)
            {
                if (item is not YamlScalarNode scalar)
                {
                    Error(file, item, $"{label}: each utterance must be a string");
                    continue;
                }

                var text = (scalar.Value ?? "").Trim();
                if (text.Length == 0 || IsNull(scalar))
                {
                    Error(file, item, $"{label}: empty utterance");
                    continue;
                }

                var key = RouteNames.DuplicateKey(text);
                if (local.TryGetValue(key, out var firstLine))
                {
                    Error(file, item, $"{label}: duplicate utterance \"{Shorten(text)}\" (first at line {firstLine})");
                    continue;
                }

                local.Add(key, Line(item));
                if (utteranceOwners.TryGetValue(key, out var owner))
                {
                    Error(file, item, $"{label}: utterance \"{Shorten(text)}\" also belongs to route '{owner.Route}' ({owner.File}:{owner.Line})");
                    continue;
                }

                if (name is not null)
                {
                    utteranceOwners.Add(key, (name, file, Line(item)));
                }

                utterances.Add(text);
            }
        }

        IReadOnlyList<RouteTarget>? targets = defaults.Targets;
        if (keys.TryGetValue("targets", out var targetsNode))
        {
            targets = ParseTargets(file, targetsNode, label);
        }
        else if (targets is null && !defaults.TargetsDeclared)
        {
            Error(file, map, $"{label}: missing required key 'targets' (and no 'defaults: targets' in this file)");
        }

        var threshold = keys.ContainsKey("threshold")
            ? OptionalNumber(file, keys, "threshold", -1, 1, $"{label}: 'threshold' must be a number in [-1, 1] (cosine similarity)")
            : defaults.Threshold;

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in defaults.Metadata ?? TargetModel.EmptyMetadata)
        {
            metadata[k] = v;
        }

        foreach (var (k, v) in OptionalMap(file, keys, "metadata") ?? TargetModel.EmptyMetadata)
        {
            metadata[k] = v;
        }

        if (errors.Count != ok || name is null || description is null || targets is null)
        {
            return;
        }

        routes.Add(new Route(name, description, utterances.AsReadOnly(), targets, threshold, metadata.AsReadOnly(), file, Line(map)));
    }

    private List<RouteTarget>? ParseTargets(string file, YamlNode node, string label)
    {
        if (node is not YamlSequenceNode list)
        {
            Error(file, node, $"{label}: 'targets' must be a list of {{model, prior}}");
            return null;
        }

        if (list.Children.Count == 0)
        {
            Error(file, list, $"{label}: 'targets' is empty: name at least one model");
            return null;
        }

        var ok = errors.Count;
        var result = new List<RouteTarget>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode map)
            {
                Error(file, item, $"{label}: each target must be a mapping with 'model' and 'prior'");
                continue;
            }

            var keys = CheckKeys(file, map, TargetKeys, "a target");
            var model = RequiredString(file, map, keys, "model", $"{label} target");
            var prior = RequiredNumber(file, map, keys, "prior", $"{label} target", 0, 1, $"{label}: 'prior' must be a number in [0, 1] (expected success before any outcome)");
            if (model is null)
            {
                continue;
            }

            var modelNode = keys["model"];
            if (seen.TryGetValue(model, out var firstLine))
            {
                Error(file, modelNode, $"{label}: target model '{model}' listed twice (first at line {firstLine})");
                continue;
            }

            seen.Add(model, Line(modelNode));
            if (modelCatalogLoaded && !modelsByName.ContainsKey(model))
            {
                var hint = Suggest(model, modelsByName.Keys);
                Error(file, modelNode, $"{label}: unknown target model '{model}' (not in models.yaml{(hint is null ? "" : $"; did you mean '{hint}'?")})");
                continue;
            }

            if (prior is not null)
            {
                result.Add(new RouteTarget(model, prior.Value));
            }
        }

        return errors.Count == ok ? result : null;
    }

    // ---- field helpers ------------------------------------------------------------------------

    /// <summary>Reports keys that are not in <paramref name="allowed"/> (with a did-you-mean) and non-scalar keys;
    /// returns the recognised keys.</summary>
    private Dictionary<string, YamlNode> CheckKeys(string file, YamlMappingNode map, string[] allowed, string what)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(file, keyNode, $"keys in {what} must be plain strings");
                continue;
            }

            if (Array.IndexOf(allowed, key) < 0)
            {
                var hint = Suggest(key, allowed);
                Error(file, keyNode, $"unknown key '{key}' in {what}" + (hint is null ? $" (expected one of: {string.Join(", ", allowed)})" : $" (did you mean '{hint}'?)"));
                continue;
            }

            result[key] = value;
        }

        return result;
    }

    private string? RequiredString(string file, YamlMappingNode map, Dictionary<string, YamlNode> keys, string key, string what)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            Error(file, map, $"{what}: missing required key '{key}'");
            return null;
        }

        if (node is not YamlScalarNode scalar || IsNull(scalar) || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Error(file, node, $"{what}: '{key}' must be a non-empty string");
            return null;
        }

        return scalar.Value.Trim();
    }

    private string? OptionalString(string file, Dictionary<string, YamlNode> keys, string key)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            Error(file, node, $"'{key}' must be a string");
            return null;
        }

        return IsNull(scalar) ? null : scalar.Value?.Trim();
    }

    private Dictionary<string, string>? OptionalMap(string file, Dictionary<string, YamlNode> keys, string key)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            Error(file, node, $"'{key}' must be a mapping of strings to strings");
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { Length: > 0 } name } || v is not YamlScalarNode value)
            {
                Error(file, v is YamlScalarNode ? k : v, $"'{key}' must map strings to strings (no lists or nested mappings)");
                continue;
            }

            result[name] = IsNull(value) ? "" : value.Value ?? "";
        }

        return result;
    }

    private double? RequiredNumber(string file, YamlMappingNode map, Dictionary<string, YamlNode> keys, string key, string what, double min, double max, string rangeMessage)
    {
        if (!keys.ContainsKey(key))
        {
            Error(file, map, $"{what}: missing required key '{key}'");
            return null;
        }

        return OptionalNumber(file, keys, key, min, max, rangeMessage);
    }

    private double? OptionalNumber(string file, Dictionary<string, YamlNode> keys, string key, double min, double max, string rangeMessage)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            return null;
        }

        if (node is not YamlScalarNode { Value: { } text } scalar || IsNull(scalar)
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(file, node, rangeMessage + $"; got '{(node as YamlScalarNode)?.Value ?? node.NodeType.ToString()}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(file, node, rangeMessage + $"; got {text}");
            return null;
        }

        return value;
    }

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain
        && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    internal static string? Suggest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(key.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static int Column(YamlNode node) => (int)node.Start.Column;

    private void Error(string file, YamlNode node, string message) => Error(file, Line(node), Column(node), message);

    private void Error(string file, int line, int column, string message) => errors.Add(new RouteValidationError(file, line, column, message));
}
