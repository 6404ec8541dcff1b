using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace SemanticRouter.Bench.Index;

/// <summary>
/// bench/python/hnswlib_bench.py as a long-lived worker over the written vector files: the C# side
/// sends one command per turn (build1, buildAll, search ef) and gets back wall and CPU seconds, so
/// hnswlib and ours can take turns without the worker's start-up in any measure.
/// </summary>
internal sealed class HnswlibBaseline : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private HnswlibBaseline(Process process, JsonObject hello)
    {
        _process = process;
        _stderr = process.StandardError.ReadToEndAsync();
        Hello = hello;
    }

    /// <summary>What the worker reported about itself: hnswlib and numpy versions, the module's path, the interpreter.</summary>
    public JsonObject Hello { get; }

    public static HnswlibBaseline Start(string python, HnswBenchOptions options, string script, string basePath, string queryPath, string truthPath, int dims)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
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
            "--build1", options.Build1.ToString(CultureInfo.InvariantCulture),
            "--threads", options.Threads.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        string? first = process.StandardOutput.ReadLine();
        if (first is null)
        {
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            throw new InvalidOperationException($"hnswlib worker failed to start (exit {process.ExitCode}): {error}");
        }

        return new HnswlibBaseline(process, JsonNode.Parse(first)!.AsObject());
    }

    public JsonObject Build1() => Send(new JsonObject { ["cmd"] = "build1" });

    public JsonObject BuildAll() => Send(new JsonObject { ["cmd"] = "buildAll" });

    public JsonObject Search(int ef, double minSeconds) => Send(new JsonObject { ["cmd"] = "search", ["ef"] = ef, ["minSeconds"] = minSeconds });

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.WriteLine("{\"cmd\": \"quit\"}");
            _process.StandardInput.Close();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }

    private JsonObject Send(JsonObject command)
    {
        _process.StandardInput.WriteLine(command.ToJsonString());
        _process.StandardInput.Flush();
        string? line = _process.StandardOutput.ReadLine();
        if (line is null)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"hnswlib worker died (exit {_process.ExitCode}): {_stderr.Result}");
        }

        var answer = JsonNode.Parse(line)!.AsObject();
        if (answer["error"] is { } error)
        {
            throw new InvalidOperationException($"hnswlib worker: {error}");
        }

        return answer;
    }
}
