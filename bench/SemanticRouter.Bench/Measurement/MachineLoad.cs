using System.Globalization;
using System.Text.Json.Nodes;

namespace SemanticRouter.Bench.Measurement;

/// <summary>
/// How busy the machine was around a measure: the 1-minute load average before and after (from
/// /proc/loadavg) and the cores kept busy meanwhile by everything, from /proc/stat. A measure whose
/// own CPU is subtracted from the latter tells what the neighbours took, so a figure taken on a
/// busy machine is recognisable as such in the JSON instead of silently flattering either side.
/// </summary>
internal readonly record struct MachineLoad(long Timestamp, double LoadAverage1, long TotalJiffies, long IdleJiffies, long StealJiffies)
{
    /// <summary>Now (zeros where /proc is missing).</summary>
    public static MachineLoad Sample()
    {
        double load = double.NaN;
        long total = 0, idle = 0, steal = 0;
        try
        {
            load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
            string cpu = File.ReadLines("/proc/stat").First();
            long[] f = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal (guest time is already in user)
            total = f.Take(8).Sum();
            idle = f[3] + f[4];
            steal = f.Length > 7 ? f[7] : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
        }

        return new MachineLoad(System.Diagnostics.Stopwatch.GetTimestamp(), load, total, idle, steal);
    }

    /// <summary>Cores busy on average between <paramref name="before"/> and <paramref name="after"/> (all processes, steal excluded).</summary>
    public static double BusyCores(MachineLoad before, MachineLoad after)
    {
        long total = after.TotalJiffies - before.TotalJiffies;
        if (total <= 0)
        {
            return double.NaN;
        }

        long busy = total - (after.IdleJiffies - before.IdleJiffies) - (after.StealJiffies - before.StealJiffies);
        return Environment.ProcessorCount * (double)busy / total;
    }

    /// <summary>
    /// The load record of one measure: load average before and after, cores busy meanwhile, and the
    /// cores others took (busy cores minus the measured side's own CPU seconds per wall second).
    /// </summary>
    public static JsonObject Describe(MachineLoad before, MachineLoad after, double wallSeconds, double ownCpuSeconds)
    {
        double busy = BusyCores(before, after);
        double steal = after.TotalJiffies > before.TotalJiffies
            ? Environment.ProcessorCount * (double)(after.StealJiffies - before.StealJiffies) / (after.TotalJiffies - before.TotalJiffies)
            : double.NaN;
        return new JsonObject
        {
            ["loadavg1Before"] = Finite(before.LoadAverage1),
            ["loadavg1After"] = Finite(after.LoadAverage1),
            ["busyCores"] = Finite(Math.Round(busy, 3)),
            ["otherCores"] = Finite(Math.Round(Math.Max(0, busy - (ownCpuSeconds / wallSeconds)), 3)),
            ["stealCores"] = Finite(Math.Round(steal, 3)),
        };
    }

    private static JsonValue? Finite(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
