using System.Text;
using System.Text.RegularExpressions;

namespace SemanticRouter.Routes;

/// <summary>Naming rules for routes and models, and the key under which two utterances are duplicates.</summary>
public static partial class RouteNames
{
    /// <summary>Route names: lower-case ASCII letters and digits, then also <c>_ . -</c>; at most 100 characters.
    /// Intent labels such as <c>card_arrival</c> qualify as they are.</summary>
    public const string Pattern = "^[a-z0-9][a-z0-9_.-]{0,99}$";

    /// <summary>Model names: ASCII letters and digits, then also <c>_ . - : / @ +</c>; at most 200 characters
    /// (so <c>meta-llama/Llama-3.1-8B-Instruct</c> and <c>qwen2.5-coder:32b</c> both qualify).</summary>
    public const string ModelPattern = "^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,199}$";

    /// <summary>True when <paramref name="name"/> is a valid route name.</summary>
    public static bool IsValidRouteName(string? name) => name is not null && RouteNameRegex().IsMatch(name);

    /// <summary>True when <paramref name="name"/> is a valid model name.</summary>
    public static bool IsValidModelName(string? name) => name is not null && ModelNameRegex().IsMatch(name);

    /// <summary>
    /// The key under which two utterances count as the same: trimmed, every run of white space collapsed
    /// to one space, lower-cased (invariant). "Hello  World" and " hello world" are duplicates.
    /// </summary>
    public static string DuplicateKey(string utterance)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        return CollapseWhiteSpace(utterance).ToLowerInvariant();
    }

    /// <summary>Trims and collapses every run of white space (including line breaks) to one space.</summary>
    public static string CollapseWhiteSpace(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex RouteNameRegex();

    [GeneratedRegex(ModelPattern, RegexOptions.CultureInvariant)]
    private static partial Regex ModelNameRegex();
}
