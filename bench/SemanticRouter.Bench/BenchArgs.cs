using System.Globalization;

namespace SemanticRouter.Bench;

/// <summary>The benchmarks' command-line parsing: `--name value`, with a fallback when absent or malformed.</summary>
internal static class BenchArgs
{
    public static int Int(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out int v) ? v : fallback;
    }
}
