using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Routes;

/// <summary>Route files: the file's defaults, each route, its targets.</summary>
internal sealed partial class RouteSetParser
{
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
}
