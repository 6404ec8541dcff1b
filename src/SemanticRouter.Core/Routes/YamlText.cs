using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SemanticRouter.Routes;

/// <summary>Writes YAML scalars by hand (route files are edited as text, never re-serialised).</summary>
internal static partial class YamlText
{
    /// <summary>A double-quoted scalar; escapes backslash, quote, control and line-separator characters.</summary>
    internal static string DoubleQuoted(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                case '\u0085': sb.Append("\\N"); break;
                case '\u00A0': sb.Append("\\_"); break;
                case '\u2028': sb.Append("\\L"); break;
                case '\u2029': sb.Append("\\P"); break;
                case '\uFEFF': sb.Append("\\uFEFF"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A single-quoted scalar, or null when the value holds characters single quotes cannot carry.</summary>
    internal static string? SingleQuoted(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' or '\uFEFF' or '\u00A0')
            {
                return null;
            }
        }

        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// True when <paramref name="value"/> reads back as the same string when written plain in block
    /// context, and no YAML 1.1/1.2 reader would take it for a number, boolean, null or date. Deliberately
    /// conservative: anything unusual gets quoted.
    /// </summary>
    internal static bool IsPlainSafe(string value)
    {
        if (value.Length == 0 || value.Length > 500 || value != value.Trim() || !SafePlainText().IsMatch(value))
        {
            return false;
        }

        if (value.Contains(" #", StringComparison.Ordinal) || value.Contains(": ", StringComparison.Ordinal) || value.EndsWith(':') || value.Contains("  ", StringComparison.Ordinal))
        {
            return false;
        }

        if (SpecialWord().IsMatch(value) || NumberLike().IsMatch(value))
        {
            return false;
        }

        return true;
    }

    /// <summary>Plain when safe and wanted, else double-quoted.</summary>
    internal static string Scalar(string value, bool preferPlain) =>
        preferPlain && IsPlainSafe(value) ? value : DoubleQuoted(value);

    // Starts with a letter or digit; then letters, digits, spaces and common punctuation (no # & * ! | > % @ ` { } [ ]).
    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N}\p{M} ,.?!'""()/$%+=_;:€£¥-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafePlainText();

    [GeneratedRegex(@"^(?:y|n|yes|no|on|off|true|false|null|~)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SpecialWord();

    // Anything a YAML reader might resolve as int, float (incl. 1e3, 1_000, 0x1F, 0o7, 1:30 sexagesimal) or timestamp.
    [GeneratedRegex(@"^[-+]?(?:[0-9][0-9_]*(?:[.:][0-9_]*)*(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|\.[0-9]+|\.(?:inf|nan))$|^\d{4}-\d\d?-\d\d?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NumberLike();
}
