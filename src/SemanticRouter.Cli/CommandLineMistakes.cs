using System.CommandLine;
using System.CommandLine.Parsing;

namespace SemanticRouter.Cli;

/// <summary>
/// The one place that turns a mistyped command line into a one-line answer naming what was typed
/// and what was probably meant: "unknown option '--indx' (did you mean '--index'?)", "unknown
/// command 'buld' (did you mean 'build'?)". System.CommandLine would take an unknown option for the
/// query argument and complain about the next token instead.
/// </summary>
internal static class CommandLineMistakes
{
    /// <summary>The one-line message for the first mistake on the command line, or null when there is none to name.</summary>
    public static string? Find(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (subcommands.Count > 0 && parse.Errors.Count > 0)
        {
            // "outcomes stat --db x": the mistyped command first; its options would all look unknown.
            if (parse.UnmatchedTokens.Count == 0)
            {
                return $"give a command: {string.Join(", ", subcommands.Select(c => c.Name))} (see --help)";
            }

            string typed = parse.UnmatchedTokens[0];
            if (!LooksLikeOption(typed) && parse.Tokens.FirstOrDefault(t => t.Value == typed)?.Type == TokenType.Argument)
            {
                return $"unknown command '{typed}'{DidYouMean(Suggest(typed, subcommands.SelectMany(c => c.Aliases.Append(c.Name))))}";
            }
        }

        var options = KnownOptions(parse.CommandResult);
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break; // after "--" everything is an argument, "--literal" included
            }

            if (token.Type != TokenType.Argument || !LooksLikeOption(token.Value))
            {
                continue;
            }

            string name = token.Value.Split('=', 2)[0];
            if (options.Contains(name))
            {
                continue;
            }

            string? suggestion = Suggest(name, options);
            if (!command.TreatUnmatchedTokensAsErrors && (suggestion is null || name.Contains(':', StringComparison.Ordinal)))
            {
                continue; // serve passes unknown --Section:Key=value options on as host configuration
            }

            return $"unknown option '{name}'{DidYouMean(suggestion)}";
        }

        return null;
    }

    /// <summary>
    /// The closest of <paramref name="known"/> to <paramref name="typed"/>: a unique one it starts, else
    /// one within a small edit distance (a slip, a missing or swapped letter), else null.
    /// </summary>
    public static string? Suggest(string typed, IEnumerable<string> known)
    {
        var candidates = known.Distinct(StringComparer.Ordinal).ToList();
        var extended = candidates.Where(k => typed.Length >= 2 && k.StartsWith(typed, StringComparison.Ordinal)).ToList();
        if (extended.Count == 1)
        {
            return extended[0];
        }

        string bare = typed.TrimStart('-');
        if (bare.Length < 3)
        {
            return null; // "-x" is as close to "-k" as to "-h": no guess
        }

        int allowed = Math.Max(1, Math.Min(3, bare.Length / 3));
        return candidates
            .Select(k => (Name: k, Distance: Distance(bare, k.TrimStart('-'))))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    private static string DidYouMean(string? suggestion) => suggestion is null ? " (see --help)" : $" (did you mean '{suggestion}'?)";

    /// <summary>"--word" or "-x": an option name, not a value such as "-", "-3" or "-0.5".</summary>
    private static bool LooksLikeOption(string token) =>
        (token.Length > 2 && token.StartsWith("--", StringComparison.Ordinal) && char.IsLetter(token[2])) ||
        (token.Length == 2 && token[0] == '-' && char.IsLetter(token[1]));

    /// <summary>The names and aliases of the options the command takes, its ancestors' recursive ones (--help) included.</summary>
    private static HashSet<string> KnownOptions(CommandResult innermost)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (CommandResult? result = innermost; result is not null; result = result.Parent as CommandResult)
        {
            foreach (var option in result.Command.Options.Where(o => result == innermost || o.Recursive))
            {
                names.Add(option.Name);
                names.UnionWith(option.Aliases);
            }
        }

        return names;
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
