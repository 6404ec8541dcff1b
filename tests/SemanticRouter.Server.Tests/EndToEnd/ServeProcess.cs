using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// `semantic-router serve` in a process of its own, as an operator starts it: the CLI built beside these
/// tests (the project reference builds it first), on 127.0.0.1 with ports chosen by the system. The addresses
/// come from its Listening log line. Disposing kills it (by its process id) and removes nothing else.
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ServeProcess(Process process, StringBuilder output, Uri grpc, Uri metrics)
    {
        _process = process;
        _output = output;
        GrpcAddress = grpc;
        MetricsAddress = metrics;
    }

    public Uri GrpcAddress { get; }

    public Uri MetricsAddress { get; }

    /// <summary>What the process wrote so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The CLI's entry assembly, built in the same configuration as these tests.</summary>
    public static string CliAssembly
    {
        get
        {
            string configuration = typeof(ServeProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            string path = Path.Combine(SemanticRouter.Tests.TestDirectory.RepositoryRoot, "src", "SemanticRouter.Cli", "bin", configuration, "net10.0", "semantic-router.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"build the CLI first (dotnet build SemanticRouter.sln -c {configuration}): {path} is missing", path);
        }
    }

    /// <summary>
    /// Starts `semantic-router serve` with <paramref name="arguments"/>, the <paramref name="environment"/> variables
    /// added to this process's, in <paramref name="workingDirectory"/> (where it reads appsettings.json), and waits until it listens.
    /// </summary>
    public static async Task<ServeProcess> StartAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(CliAssembly);
        start.ArgumentList.Add("serve");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var listening = new TaskCompletionSource<(Uri Grpc, Uri Metrics)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult((new Uri(match.Groups["grpc"].Value), new Uri(match.Groups["metrics"].Value)));
            }
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"serve exited with {process.ExitCode}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (grpc, metrics) = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
            return new ServeProcess(process, output, grpc, metrics);
        }
        catch (Exception e)
        {
            Stop(process);
            string log;
            lock (output)
            {
                log = output.ToString();
            }

            throw new InvalidOperationException($"serve did not start ({e.Message}):\n{log}", e);
        }
    }

    /// <summary>Runs `semantic-router serve` with <paramref name="arguments"/> when it is expected to stop by itself (a start that fails); its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(CliAssembly);
        start.ArgumentList.Add("serve");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start serve");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        }
        catch (TimeoutException)
        {
            Stop(process);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The server's process id (the process this class started).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Sends SIGTERM, as `docker stop` or systemd does: the server drains and exits.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}");
        }
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    /// <summary>Resident memory of the server, from /proc (Linux), in MiB.</summary>
    public double ResidentMiB()
    {
        foreach (string line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/<pid>/status");
    }

    /// <summary>CPU seconds (user + system) the server used so far, from /proc (Linux).</summary>
    public double CpuSeconds()
    {
        string stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // exited in between
        }
    }

    // ServerLog event 1: "gRPC listening on http://127.0.0.1:41234/ (tls: False), metrics on http://127.0.0.1:41235/, …"
    [GeneratedRegex(@"gRPC listening on (?<grpc>\S+) \(tls: \w+\), metrics on (?<metrics>\S+),")]
    private static partial Regex ListeningLine();
}
