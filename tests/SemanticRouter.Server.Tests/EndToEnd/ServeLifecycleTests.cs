using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>A `serve` process with its limits raised so one call can embed for seconds: SIGTERM and cancellation against it.</summary>
public class HeavyCallServer : ServedRouter
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
/// the in-flight call finish and refuses new ones (UNAVAILABLE "server is shutting down", counted in /metrics); a call whose deadline passes stops using the CPU.
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
    public async Task Sigterm_NewCallsAreRefusedWithUnavailableWhileTheInFlightCallDrains_AndCounted()
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
        // "Shutting down" is logged once the host is stopping (ApplicationStopping): from then on, and until the
        // heavy call has finished, the listener stays open and every new call is refused by the server itself.
        while (!serve.Output.Contains("Shutting down", StringComparison.Ordinal))
        {
            await Task.Delay(20, ct);
        }

        // On the connection the heavy call uses, and on a new one.
        var sameConnection = await Assert.ThrowsAsync<RpcException>(() =>
            served.Client.ListRoutesAsync(new ListRoutesRequest(), served.Query, DateTime.UtcNow.AddSeconds(30), ct).ResponseAsync);
        using var other = GrpcChannel.ForAddress(serve.GrpcAddress);
        var newConnection = await Assert.ThrowsAsync<RpcException>(() =>
            new Router.RouterClient(other).RankModelsAsync(new RankModelsRequest { Query = "hello" }, served.Query, DateTime.UtcNow.AddSeconds(30), ct).ResponseAsync);
        foreach (var refused in new[] { sameConnection, newConnection })
        {
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal("server is shutting down", refused.Status.Detail);
        }

        // Health still answers, NOT_SERVING, so a load balancer sees the replica drain.
        var health = await new global::Grpc.Health.V1.Health.HealthClient(other).CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);

        // The refusals are in /metrics, by method and status, while the drain goes on.
        using var http = new HttpClient { BaseAddress = serve.MetricsAddress, Timeout = TimeSpan.FromSeconds(30) };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        Assert.Equal(1, MetricsText.Sum(metrics, "semantic_router_grpc_calls_total", "method=\"semantic_router.v1.Router/ListRoutes\"", "code=\"Unavailable\""));
        Assert.Equal(1, MetricsText.Sum(metrics, "semantic_router_grpc_calls_total", "method=\"semantic_router.v1.Router/RankModels\"", "code=\"Unavailable\""));

        Assert.False(call.ResponseAsync.IsCompleted, "the heavy call was still draining when new calls were refused");
        Assert.NotEmpty((await call.ResponseAsync).Models);
        await serve.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, serve.ExitCode);
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
