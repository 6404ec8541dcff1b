using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Routes;

/// <summary>Field helpers: allowed keys (with did-you-mean), typed values with ranges, error positions.</summary>
internal sealed partial class RouteSetParser
{
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
