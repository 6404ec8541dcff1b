using System.Diagnostics;
using SemanticRouter.Outcomes;

namespace SemanticRouter.Cli.Tests.Commands;

/// <summary>
/// An acknowledged outcome is never lost: a child process records outcomes and prints "ack N" after
/// each commit; we SIGKILL it at a random point, reopen the store and look for every acknowledged one.
/// </summary>
[Trait("Category", "EndToEnd")] // child processes killed with SIGKILL: ./test.sh --all
public sealed class OutcomeDurabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sr-durability-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KillDash9_AfterAcknowledgements_EveryAcknowledgedOutcomeSurvives(int round)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = Path.Combine(_dir, "outcomes.db");
        var acked = new HashSet<string>(StringComparer.Ordinal);
        var rng = new Random(Environment.TickCount ^ round);

        // Two kills in a row on the same store: the second run also recovers the first one's WAL.
        for (var run = 0; run < 2; run++)
        {
            var killAfter = rng.Next(5, 120);
            using var child = StartChild(db);
            try
            {
                for (var runAcks = 0; runAcks < killAfter; runAcks++)
                {
                    var line = await child.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct)
                        ?? throw new InvalidOperationException($"child exited early: {await child.StandardError.ReadToEndAsync(ct)}");
                    Assert.StartsWith("ack ", line, StringComparison.Ordinal);
                    Assert.True(acked.Add("ack-" + line[4..]), $"acknowledged twice: {line}");
                }
            }
            finally
            {
                child.Kill(entireProcessTree: true); // SIGKILL on Unix: no finalisers, no flush
                await child.WaitForExitAsync(ct);
            }
        }

        using var store = SqliteOutcomeStore.Open(db);
        var stored = store.ReadOutcomes().Select(o => o.RequestId!).ToHashSet(StringComparer.Ordinal);
        Assert.Subset(stored, acked);
        // The aggregates were committed with the raw rows: they agree after recovery.
        Assert.Equal(store.Count, store.ForRoute("durability", "model").Trials, 9);
        Assert.True(store.Count >= acked.Count);
    }

    private static Process StartChild(string db)
    {
        var baseDir = AppContext.BaseDirectory;
        var appHost = Path.Combine(baseDir, OperatingSystem.IsWindows() ? "semantic-router.exe" : "semantic-router");
        var start = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(baseDir, "semantic-router.dll") } };
        foreach (var arg in new[] { "outcomes", "record", "--db", db, "--count", "100000" })
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the CLI");
    }
}
