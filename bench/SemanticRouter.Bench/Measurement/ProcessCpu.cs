using System.Globalization;

namespace SemanticRouter.Bench.Measurement;

/// <summary>CPU seconds another process has used, from /proc/PID/stat (user + system, 10 ms ticks).</summary>
internal static class ProcessCpu
{
    public static double Seconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }
}
