using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SemanticRouter.Client.Tests.Infrastructure;

/// <summary>
/// `semantic-router serve` as users run it: a child process on 127.0.0.1 with a free port, its address
/// read from its "gRPC listening on …" line. Disposing kills it (by this process handle only).
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ServeProcess> StartAsync(string indexDirectory, string outcomeDatabase, string? apiKey = null)
    {
        string program = Path.Combine(AppContext.BaseDirectory, "semantic-router.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", program, "serve", "--index", indexDirectory, "--db", outcomeDatabase, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--intra-op-threads", "1" })
        {
            start.ArgumentList.Add(arg);
        }

        // The server reads SEMANTIC_ROUTER_* settings: only the ones this test means.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SEMANTIC_ROUTER_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        if (apiKey is not null)
        {
            start.Environment["SEMANTIC_ROUTER_API_KEY"] = apiKey;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("semantic-router serve did not start");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void Read(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += Read;
        process.ErrorDataReceived += Read;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(new InvalidOperationException("serve exited:\n" + Joined(output))), TaskScheduler.Default);
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var serve = new ServeProcess(process, address);
            lock (output)
            {
                serve._output.AddRange(output);
            }

            return serve;
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process.Dispose();
    }

    private static string Joined(List<string> lines)
    {
        lock (lines)
        {
            return string.Join('\n', lines);
        }
    }

    [GeneratedRegex(@"gRPC listening on (http://[^\s,]+)")]
    private static partial Regex ListeningLine();
}
