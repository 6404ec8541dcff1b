using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace SemanticRouter.Bench.Index;

/// <summary>Runs bench/python/hnswlib_bench.py (C++ hnswlib through Debian's python3-hnswlib) on the written vector files.</summary>
internal static class HnswlibBaseline
{
    public static JsonObject Run(HnswBenchOptions options, string script, string basePath, string queryPath, string truthPath, int dims)
    {
        var start = new ProcessStartInfo(options.Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            script, "--base", basePath, "--queries", queryPath, "--truth", truthPath,
            "--dim", dims.ToString(CultureInfo.InvariantCulture),
            "--k", options.K.ToString(CultureInfo.InvariantCulture),
            "--m", options.M.ToString(CultureInfo.InvariantCulture),
            "--ef-construction", options.EfConstruction.ToString(CultureInfo.InvariantCulture),
            "--efs", string.Join(',', options.Efs),
            "--build1", options.Build1.ToString(CultureInfo.InvariantCulture),
            "--threads", options.Threads.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {options.Python}.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"hnswlib baseline failed (exit {process.ExitCode}): {stderr.Result}");
        }

        return JsonNode.Parse(stdout)?.AsObject() ?? throw new InvalidOperationException("hnswlib baseline printed no JSON.");
    }
}
