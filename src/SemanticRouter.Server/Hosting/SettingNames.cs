using System.Text;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// How a setting is named to the people who set it: its configuration key and the environment variable
/// of the <c>SEMANTIC_ROUTER_*</c> form, e.g. <c>SemanticRouter:MaxQueryBytes (SEMANTIC_ROUTER_MAX_QUERY_BYTES)</c>.
/// Every start-up message about a setting starts with this, so the reader knows what to change.
/// </summary>
public static class SettingNames
{
    /// <summary>The configuration section every setting lives in (appsettings.json, <c>SemanticRouter__Port</c>, …).</summary>
    public const string Section = "SemanticRouter";

    /// <summary>Prefix of the older environment variable form, kept working: <c>SEMANTIC_ROUTER_PORT</c>.</summary>
    public const string EnvironmentPrefix = "SEMANTIC_ROUTER_";

    /// <summary><c>SemanticRouter:Port (SEMANTIC_ROUTER_PORT)</c>.</summary>
    public static string Describe(string key) => $"{Section}:{key} ({EnvironmentPrefix}{EnvironmentSuffix(key)})";

    /// <summary>MaxQueryBytes → MAX_QUERY_BYTES.</summary>
    public static string EnvironmentSuffix(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var builder = new StringBuilder();
        foreach (var c in key)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The configuration key of an environment variable of the older form, without its prefix:
    /// MAX_QUERY_BYTES → SemanticRouter:MAXQUERYBYTES (keys bind case-insensitively; <c>__</c> nests).
    /// </summary>
    public static string KeyOfEnvironmentSuffix(string suffix)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        return Section + ":" + string.Join(':', suffix.Split("__").Select(part => part.Replace("_", string.Empty, StringComparison.Ordinal)));
    }
}
