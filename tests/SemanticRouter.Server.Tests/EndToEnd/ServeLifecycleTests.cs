using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>A `serve` process with its limits raised so one call can embed for seconds: SIGTERM and cancellation against it.</summary>
public sealed class HeavyCallServer : ServedRouter
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--SemanticRouter:MaxHistoryTurns=5000",
        "--SemanticRouter:MaxRequestTextBytes=67108864",
        "--SemanticRouter:MaxReceiveMessageSize=67108864",
        "--SemanticRouter:ShutdownTimeout=00:02:00",
        "--cache", "0",
    ];

    /// <summary>A RankModels request with <paramref name="turns"/> distinct earlier turns, each embedded.</summary>
    public static RankModelsRequest Heavy(int turns)
    {
        var request = new RankModelsRequest { Query = "write a python function that reverses a list" };
        for (int i = 0; i < turns; i++)
        {
            request.History.Add(new Turn { Role = "user", Text = $"turn {i}: how do I sort a list of records by two keys in python, then group them " + string.Join(' ', Enumerable.Range(i, 30)) });
        }

        return request;
    }
}

/// <summary>
/// Shutdown and cancellation with a call that is still embedding, against a real `serve` process: SIGTERM lets
/// the in-flight call finish and refuses new ones; a call whose deadline passes stops using the CPU.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServeLifecycleTests
{
    [Fact]
    public async Task Sigterm_LetsACallThatIsStillEmbeddingFinish_RefusesNewCalls_ThenExits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var served = new HeavyCallServer();
        await served.InitializeAsync();
        var serve = served.Serve;

        var clock = Stopwatch.StartNew();
        using var call = served.Client.RankModelsAsync(HeavyCallServer.Heavy(300), served.Query, DateTime.UtcNow.AddMinutes(2), ct);
        // Wait until the server is busy with it (CPU climbing), then SIGTERM.
        double cpu = serve.CpuSeconds();
        while (serve.CpuSeconds() < cpu + 0.5)
        {
            await Task.Delay(50, ct);
        }

        serve.Terminate();
        var terminatedAt = clock.Elapsed;
        var reply = await call.ResponseAsync;
        var finishedAt = clock.Elapsed;

        Assert.NotEmpty(reply.Models);
        Assert.True(finishedAt > terminatedAt, "the call was still in flight at SIGTERM");
        await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, serve.ExitCode);
        Assert.Contains("Shutting down: draining in-flight calls for up to 00:02:00", serve.Output, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"SIGTERM at {terminatedAt.TotalSeconds:0.0} s; the call finished OK at {finishedAt.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Sigterm_NewCallsAreRefusedWhileDraining()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var served = new HeavyCallServer();
        await served.InitializeAsync();
        var serve = served.Serve;
        using var call = served.Client.RankModelsAsync(HeavyCallServer.Heavy(300), served.Query, DateTime.UtcNow.AddMinutes(2), ct);
        double cpu = serve.CpuSeconds();
        while (serve.CpuSeconds() < cpu + 0.5)
        {
            await Task.Delay(50, ct);
        }

        serve.Terminate();
        // A new connection during the drain finds the port closed (or the connection going away): UNAVAILABLE.
        while (!serve.Output.Contains("Shutting down", StringComparison.Ordinal))
        {
            await Task.Delay(20, ct);
        }

        // "Shutting down" is logged as the host starts stopping; Kestrel closes its listener a moment later, so
        // a call in that moment may still be served. Within the drain (the heavy call still running), new calls
        // must come to be refused with UNAVAILABLE.
        RpcException? refused = null;
        var until = DateTime.UtcNow.AddSeconds(10);
        while (refused is null && DateTime.UtcNow < until)
        {
            using var other = GrpcChannel.ForAddress(serve.GrpcAddress);
            try
            {
                await new Router.RouterClient(other).ListRoutesAsync(new ListRoutesRequest(), served.Query, DateTime.UtcNow.AddSeconds(10), ct).ResponseAsync;
                await Task.Delay(20, ct);
            }
            catch (RpcException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.False(call.ResponseAsync.IsCompleted, "the heavy call was still draining when new calls were refused");
        Assert.NotEmpty((await call.ResponseAsync).Models);
        await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task DeadlinePassed_TheHeavyCallStopsUsingTheCpuWithinASecond()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var served = new HeavyCallServer();
        await served.InitializeAsync();
        var serve = served.Serve;

        using var call = served.Client.RankModelsAsync(HeavyCallServer.Heavy(3000), served.Query, DateTime.UtcNow.AddSeconds(1), ct);
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        double before = serve.CpuSeconds();
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        double used = serve.CpuSeconds() - before;
        // 3,000 turns take minutes of CPU; a server that kept embedding would use ~2 CPU-seconds per second here.
        Assert.True(used < 1.0, $"the server used {used:0.00} CPU-seconds in the 3 s after the call was given up");
        TestContext.Current.TestOutputHelper?.WriteLine($"CPU-seconds used in the 3 s starting 1 s after the deadline: {used:0.00}");
        await served.AssertServingAsync(ct);
    }
}
