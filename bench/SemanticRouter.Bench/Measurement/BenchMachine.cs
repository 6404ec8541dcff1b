using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace SemanticRouter.Bench.Measurement;

/// <summary>The facts every result file starts with: when, on what, under which load.</summary>
internal static class BenchMachine
{
    public static string CpuModel
    {
        get
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
            catch (IOException)
            {
                return RuntimeInformation.ProcessArchitecture.ToString();
            }
        }
    }

    public static JsonObject Describe(string benchmark, string[] args)
    {
        var load = MachineLoad.Sample();
        return new JsonObject
        {
            ["benchmark"] = benchmark,
            ["utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["args"] = string.Join(' ', args),
            ["machine"] = new JsonObject
            {
                ["cpu"] = CpuModel,
                ["cores"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = Environment.Version.ToString(),
                ["loadavg1AtStart"] = double.IsFinite(load.LoadAverage1) ? load.LoadAverage1 : null,
            },
        };
    }

    /// <summary>One line for the console: what a reader needs to judge the figures that follow.</summary>
    public static string Banner() =>
        string.Create(CultureInfo.InvariantCulture, $"{CpuModel}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {MachineLoad.Sample().LoadAverage1:0.00} at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
}
