using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Routes;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>The real engine behind the real server: interop clients in Python and Node run every
/// RPC and every bad input; a rebuild and reload under load fails no call.</summary>
[Trait("Category", "EndToEnd")] // real server, Python and Node clients: ./test.sh --all
public class RealEngineTests
{
    private const string ApiKey = "end-to-end-key-0123456789";

    [Fact]
    public Task PythonClient_AllCasesPassAgainstRealEngine() =>
        RunClientAsync("/usr/bin/python3", Path.Combine("tests", "interop", "python", "interop_client.py"));

    [Fact]
    public Task NodeClient_AllCasesPassAgainstRealEngine() =>
        RunClientAsync("node", Path.Combine("tests", "interop", "node", "interop_client.js"));

    [Fact]
    public async Task RecordedOutcomes_TeachTheTextModel_WhoseEstimateRankModelsReturns()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RealEngineHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var client = new Router.RouterClient(channel);
        const string Probe = "write an sql query that counts orders per customer";
        Assert.All((await client.RankModelsAsync(new RankModelsRequest { Query = Probe }, cancellationToken: ct)).Models, m => Assert.False(m.HasTextEstimate));

        // half by request id (the server remembers the ranked text), half by query text: 100 text outcomes start a refit
        for (int i = 0; i < 50; i++)
        {
            var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = $"write an sql query that joins table {i} with orders" }, cancellationToken: ct);
            await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = "gpt-4o-mini", Success = false }, cancellationToken: ct);
            await client.RecordOutcomeAsync(new RecordOutcomeRequest { Query = $"write a bash script that renames file {i}", Model = "gpt-4o-mini", Success = true }, cancellationToken: ct);
        }

        RankedModel? mini = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (mini?.HasTextEstimate != true && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
            mini = (await client.RankModelsAsync(new RankModelsRequest { Query = Probe }, cancellationToken: ct)).Models.Single(m => m.Model == "gpt-4o-mini");
        }

        Assert.True(mini!.HasTextEstimate, "no text estimate within 60 s of the 100th text outcome");
        Assert.InRange(mini.TextEstimate, 0, 0.3);
    }

    [Fact]
    public async Task RebuildAndReload_WhileLoadRuns_NoCallFails()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RealEngineHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var client = new Router.RouterClient(channel);
        string before = (await client.RankModelsAsync(new RankModelsRequest { Query = "hello there" }, cancellationToken: ct)).IndexVersion;

        string[] queries = ["write a rust function to parse json", "what is 17 times 23", "summarise this paragraph", "translate thank you into Japanese", "how are you today"];
        using var stop = new CancellationTokenSource();
        int ok = 0;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            int i = worker;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var reply = await client.RankModelsAsync(new RankModelsRequest { Query = queries[i++ % queries.Length] + $" #{i}" }, deadline: DateTime.UtcNow.AddSeconds(30));
                    Assert.NotEmpty(reply.Models);
                    Interlocked.Increment(ref ok);
                }
                catch (Exception e)
                {
                    failures.Add(e.Message);
                }
            }
        })).ToArray();

        await Task.Delay(300, ct);
        RouteFileEditor.AddUtterance(host.RoutesDirectory, "maths", "find the eigenvalues of this 3 by 3 matrix");
        host.Rebuild();
        var reload = await client.ReloadIndexAsync(new ReloadIndexRequest(), cancellationToken: ct);
        await Task.Delay(300, ct);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(ok > 10, $"only {ok} calls completed");
        Assert.NotEqual(before, reload.IndexVersion);
        var after = await client.RankModelsAsync(new RankModelsRequest { Query = "find the eigenvalues of this matrix" }, cancellationToken: ct);
        Assert.Equal(reload.IndexVersion, after.IndexVersion);
    }

    [Fact]
    public async Task Reload_OfAnIndexWithOtherRankingSettings_WarnsTheyApplyAtTheNextStart_AndKeepsRankingAsItStarted()
    {
        // The engine reports the changed settings (RouterEngine.IndexRankingSettingsChanged); the service logs it (event 11).
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RealEngineHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var client = new Router.RouterClient(channel);

        host.Rebuild();
        await client.ReloadIndexAsync(new ReloadIndexRequest(), cancellationToken: ct);
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == 11);

        host.Rebuild(new Settings.RankingSettingsFile { K = 4 });
        var reload = await client.ReloadIndexAsync(new ReloadIndexRequest(), cancellationToken: ct);
        var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that sorts a list", IncludeNeighbors = true }, cancellationToken: ct);

        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 11);
        Assert.Contains($"(version {reload.IndexVersion}) carries other ranking settings", warning.Message, StringComparison.Ordinal);
        Assert.Equal(reload.IndexVersion, ranked.IndexVersion);
        Assert.Equal(Ranking.RankingOptions.Default.K, ranked.Neighbors.Count); // the k it started with, until it restarts
    }

    [Fact]
    public async Task RankModels_ReportsAbstentionAndOutcomesMoveScores()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RealEngineHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var client = new Router.RouterClient(channel);

        var first = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a linked list", IncludeNeighbors = true }, cancellationToken: ct);
        Assert.Equal("coding", first.Match.Route);
        Assert.NotEmpty(first.Neighbors);
        string top = first.Models[0].Model;
        for (int i = 0; i < 15; i++)
        {
            var d = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a linked list" }, cancellationToken: ct);
            var ack = await client.RecordOutcomeAsync(new RecordOutcomeRequest { RequestId = d.RequestId, Model = top, Success = false }, cancellationToken: ct);
            Assert.True(ack.Durable);
        }

        var after = await client.RankModelsAsync(new RankModelsRequest { Query = "write a python function that reverses a linked list" }, cancellationToken: ct);
        Assert.True(after.Models.Single(m => m.Model == top).Score < first.Models[0].Score - 0.1);

        var gibberish = await client.RankModelsAsync(new RankModelsRequest { Query = "qzxv plorth wibble" }, cancellationToken: ct);
        Assert.True(gibberish.Match.Abstained);
    }

    private static async Task RunClientAsync(string program, string script)
    {
        string root = SemanticRouter.Tests.TestDirectory.RepositoryRoot;
        await using var host = await RealEngineHost.StartAsync(ApiKey);
        using var corrupt = new SemanticRouter.Tests.TestDirectory();
        await File.WriteAllTextAsync(Path.Combine(corrupt.Path, "manifest.json"), "{ this is not a manifest", TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo(program) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { Path.Combine(root, script), "--address", host.Address, "--api-key", ApiKey, "--corrupt-index", corrupt.Path })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        string output = await stdout, errors = await stderr;
        Assert.True(process.ExitCode == 0, $"{script} exited with {process.ExitCode}:\n{output}\n{errors}");
        Assert.Contains(" 0 failed", output, StringComparison.Ordinal);
        Assert.Contains("PASS add_utterances", output, StringComparison.Ordinal);
        Assert.Contains("PASS reload_corrupt_artifact", output, StringComparison.Ordinal);
        Assert.Contains("PASS wrong_api_key", output, StringComparison.Ordinal);
    }
}
