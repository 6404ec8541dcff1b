using System.Diagnostics;
using SemanticRouter.Outcomes;
using SemanticRouter.Routes;

namespace SemanticRouter.Core.Tests.Outcomes;

/// <summary>
/// A full disk under the outcome database, for real: a 1 MiB tmpfs mounted for the test (needs root, as CI
/// runs; skipped where mounting is not allowed). The store answers RESOURCE_EXHAUSTED with one line, stores
/// nothing of the refused calls, keeps its statistics (rankings read them), loses no acknowledged outcome,
/// and writes again once space is freed.
/// </summary>
[Trait("Category", "EndToEnd")] // mounts a tmpfs: ./test.sh --all
public sealed class OutcomeDiskFullTests : IDisposable
{
    private readonly string _mount = Directory.CreateTempSubdirectory("sr-diskfull-").FullName;
    private bool _mounted;

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _mount);
        }

        Directory.Delete(_mount, recursive: true);
    }

    [Fact]
    public async Task DiskFull_RefusesWithResourceExhausted_LosesNothingAcknowledged_AndResumes()
    {
        var ct = TestContext.Current.CancellationToken;
        _mounted = Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _mount) == 0;
        if (!_mounted)
        {
            Assert.Skip("cannot mount a tmpfs here (not root?): the full-disk test needs one");
        }

        var credits = new OutcomeCredits([new UtteranceCredit(UtteranceKey.Of("coding", "u"), 1)], [new RouteCredit("coding", 1)]);
        var text = new string('x', 2000); // a big row fills the disk in a few hundred outcomes
        var path = Path.Combine(_mount, "outcomes.db");
        var acknowledged = new List<string>();
        OutcomeStoreUnavailableException? refused = null;
        using (var store = SqliteOutcomeStore.Open(path))
        {
            for (var i = 0; i < 5000 && refused is null; i++)
            {
                try
                {
                    var key = $"k{i}";
                    await store.RecordAsync(Outcome.ForQuery(text, "gpt", 1.0) with { IdempotencyKey = key }, credits, ct);
                    acknowledged.Add(key);
                }
                catch (OutcomeStoreUnavailableException e)
                {
                    refused = e;
                }
            }

            Assert.NotNull(refused);
            Assert.Equal(RouterErrorCode.ResourceExhausted, refused.Code);
            Assert.DoesNotContain('\n', refused.Message);
            Assert.Contains("disk is full", refused.Message, StringComparison.Ordinal);

            // Nothing of the refused call was counted; rankings keep reading the statistics.
            Assert.Equal(acknowledged.Count, store.Count);
            Assert.Equal(acknowledged.Count, store.ForRoute("coding", "gpt").Trials, 9);
            Assert.True((await store.RecordAsync(Outcome.ForQuery(text, "gpt", 1.0) with { IdempotencyKey = acknowledged[0] }, credits, ct)).Replayed);

            // Space comes back (here: the outcome store gets a bigger disk): writes resume on the same store.
            Assert.Equal(0, Run("mount", "-o", "remount,size=16m", _mount));
            var resumed = await store.RecordAsync(Outcome.ForQuery(text, "gpt", 1.0) with { IdempotencyKey = "after" }, credits, ct);
            Assert.False(resumed.Replayed);
            acknowledged.Add("after");
        }

        using var reopened = SqliteOutcomeStore.Open(path);
        var stored = reopened.ReadOutcomes().Select(o => o.IdempotencyKey).ToHashSet();
        Assert.Subset(stored, acknowledged.ToHashSet<string?>());
        Assert.Equal(acknowledged.Count, reopened.Count);
    }

    private static int Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(start)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
