using System.Diagnostics;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Interop;

/// <summary>
/// A client script of the repository (an example, an interop client) run as a user runs it: <c>program script args</c>
/// in the repository root, its output collected. A runtime that is missing fails the test with the command that
/// installs it; a script that takes more than 2 minutes is killed (by its process id) and fails the test.
/// </summary>
internal static class ClientScript
{
    /// <param name="program">The runtime (<c>/usr/bin/python3</c>, <c>node</c>).</param>
    /// <param name="script">The script, relative to the repository root.</param>
    /// <param name="arguments">The script's arguments.</param>
    /// <param name="installHint">What installs the runtime and its packages, for failure messages.</param>
    /// <param name="environment">Variables to set on top of this process's; a null value removes one.</param>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string program, string script, IEnumerable<string> arguments, string installHint, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string root = SemanticRouter.Tests.TestDirectory.RepositoryRoot;
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(Path.Combine(root, script));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"Cannot run {program}: {ex.Message}. {installHint}");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{script} did not finish within 2 minutes:\n{await stdout.WithTimeout()}\n{await stderr.WithTimeout()}");
            }

            return (process.ExitCode, await stdout.WithTimeout(), await stderr.WithTimeout());
        }
    }
}
