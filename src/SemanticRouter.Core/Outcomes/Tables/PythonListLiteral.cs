using System.Text;

namespace SemanticRouter.Outcomes.Tables;

/// <summary>
/// RouterBench's <c>prompt</c> cells: a Python list literal holding one string, <c>['…']</c> or
/// <c>["…"]</c>, with Python's escapes (<c>\n</c>, <c>\'</c>, <c>\\</c>, <c>\xNN</c>, <c>\uNNNN</c>).
/// A cell that is not such a literal is taken as the prompt itself.
/// </summary>
public static class PythonListLiteral
{
    /// <summary>The strings of a list literal joined by a line break, or the cell unchanged when it is not one.</summary>
    public static string Decode(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var s = cell.Trim();
        if (s.Length < 4 || s[0] != '[' || s[^1] != ']')
        {
            return cell;
        }

        var parts = new List<string>();
        var i = 1;
        while (true)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == ','))
            {
                i++;
            }

            if (i >= s.Length - 1)
            {
                break;
            }

            var quote = s[i];
            if (quote != '\'' && quote != '"')
            {
                return cell; // not a list of string literals
            }

            var text = new StringBuilder();
            i++;
            while (i < s.Length && s[i] != quote)
            {
                if (s[i] == '\\' && i + 1 < s.Length)
                {
                    i++;
                    switch (s[i])
                    {
                        case 'n': text.Append('\n'); break;
                        case 't': text.Append('\t'); break;
                        case 'r': text.Append('\r'); break;
                        case 'x' when i + 2 < s.Length && TryHex(s.AsSpan(i + 1, 2), out var x):
                            text.Append((char)x);
                            i += 2;
                            break;
                        case 'u' when i + 4 < s.Length && TryHex(s.AsSpan(i + 1, 4), out var u):
                            text.Append((char)u);
                            i += 4;
                            break;
                        case '\n': break; // a line continuation
                        case '\\' or '\'' or '"': text.Append(s[i]); break;
                        default: text.Append('\\').Append(s[i]); break; // Python keeps unknown escapes
                    }
                }
                else
                {
                    text.Append(s[i]);
                }

                i++;
            }

            if (i >= s.Length)
            {
                return cell; // unterminated: not a literal
            }

            parts.Add(text.ToString());
            i++;
        }

        return parts.Count == 0 ? cell : string.Join("\n", parts);
    }

    private static bool TryHex(ReadOnlySpan<char> digits, out int value) =>
        int.TryParse(digits, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out value);
}
