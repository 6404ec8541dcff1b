using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SemanticRouter.Cli.Tests.Commands;

/// <summary>A `serve` child process on a free loopback port (what a container runs); killed on dispose.</summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;

    private ServeProcess(Process process, string listeningLine, string address, string startupLog)
    {
        _process = process;
        ListeningLine = listeningLine;
        Address = address;
        StartupLog = startupLog;
    }

    public string ListeningLine { get; }

    /// <summary>http://127.0.0.1:PORT, as health prints it.</summary>
    public string Address { get; }

    /// <summary>What the server logged before it listened (the ranking settings it resolved, their warnings), up to the listening line.</summary>
    public string StartupLog { get; }

    /// <param name="index">The index to serve.</param>
    /// <param name="apiKey">SEMANTIC_ROUTER_API_KEY, or null for none.</param>
    /// <param name="arguments">More `serve` arguments (e.g. --ranking-options FILE).</param>
    public static async Task<ServeProcess> StartAsync(string index, string? apiKey, params string[] arguments)
    {
        var ct = TestContext.Current.CancellationToken;
        var baseDir = AppContext.BaseDirectory;
        var appHost = Path.Combine(baseDir, OperatingSystem.IsWindows() ? "semantic-router.exe" : "semantic-router");
        var start = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(baseDir, "semantic-router.dll") } };
        foreach (var arg in new[] { "serve", "--index", index, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "-1" }.Concat(arguments))
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment.Remove("SEMANTIC_ROUTER_API_KEY");
        if (apiKey is not null)
        {
            start.Environment["SEMANTIC_ROUTER_API_KEY"] = apiKey;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start serve");
        try
        {
            // The server logs its bound address once it accepts calls (port 0 resolved).
            var log = new StringBuilder();
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(120), ct)
                    ?? throw new InvalidOperationException($"serve exited before listening: {await process.StandardError.ReadToEndAsync(ct)}");
                log.AppendLine(line);
                var match = ListeningPattern().Match(line);
                if (match.Success)
                {
                    // Keep draining the pipes so the server never blocks on a full one.
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new ServeProcess(process, line, $"http://127.0.0.1:{match.Groups[1].Value}", log.ToString());
                }
            }
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }

    [GeneratedRegex(@"gRPC listening on http://127\.0\.0\.1:(\d+)/?")]
    private static partial Regex ListeningPattern();
}
