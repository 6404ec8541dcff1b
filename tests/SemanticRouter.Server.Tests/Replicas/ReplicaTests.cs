using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Tests.EndToEnd;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.Replicas;

/// <summary>
/// Two real `serve` replicas sharing outcomes through a real redis-server, as docs/deploy.md runs them: an
/// outcome recorded at A moves B's ranking; Redis down → RecordOutcome UNAVAILABLE while both keep ranking,
/// and back → writes resume and B catches up; A killed with -9 → every outcome it acknowledged is at B and
/// replays (counts once) there and at A restarted.
/// </summary>
[Trait("Category", "EndToEnd")] // redis-server and two serve processes: ./test.sh --all
public class ReplicaTests
{
    private const string Query = "write a python function that sorts a list of numbers";
    private const string Model = "gpt-4o-mini";

    [Fact]
    public async Task TwoReplicas_ShareOutcomes_SurviveRedisOutage_AndAKilledReplica()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = ExampleIndex.Build(dir, ct);

        await using var redis = await RedisServer.StartAsync();
        string[] args = ["--index", index, "--redis", redis.Configuration, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", "--intra-op-threads", "1"];
        var a = await ServeProcess.StartAsync(args);
        await using var b = await ServeProcess.StartAsync(args);
        using var channelB = GrpcChannel.ForAddress(b.GrpcAddress);
        var atB = new Router.RouterClient(channelB);
        var acknowledged = new List<RecordOutcomeRequest>();
        try
        {
            using var channelA = GrpcChannel.ForAddress(a.GrpcAddress);
            var atA = new Router.RouterClient(channelA);

            // 1. Propagation: a failure recorded at A lowers the model's quality in B's ranking.
            double before = await QualityAsync(atB, ct);
            var failure = new RecordOutcomeRequest { Query = Query, Model = Model, Success = false, IdempotencyKey = "propagation-1" };
            Assert.False((await atA.RecordOutcomeAsync(failure, cancellationToken: ct)).Replayed);
            acknowledged.Add(failure);
            var clock = Stopwatch.StartNew(); // from A's acknowledgement
            await RedisOutcomeStoreTests.Eventually(async () => await QualityAsync(atB, ct) < before, "B's ranking never saw A's outcome");
            var delays = new List<double> { clock.Elapsed.TotalMilliseconds };
            for (int i = 0; i < 5; i++)
            {
                double previous = await QualityAsync(atB, ct);
                var more = new RecordOutcomeRequest { Query = Query, Model = Model, Success = false, IdempotencyKey = $"propagation-{i + 2}" };
                await atA.RecordOutcomeAsync(more, cancellationToken: ct);
                acknowledged.Add(more);
                clock.Restart();
                await RedisOutcomeStoreTests.Eventually(async () => await QualityAsync(atB, ct) < previous, "B's ranking never saw A's outcome");
                delays.Add(clock.Elapsed.TotalMilliseconds);
            }

            // Measured, not asserted (timing): docs/deploy.md quotes it.
            TestContext.Current.TestOutputHelper?.WriteLine($"outcome acknowledged at A reached B's ranking in {string.Join(", ", delays.Select(d => d.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))} ms");

            // The same report at B: replayed, nothing counted.
            double after = await QualityAsync(atB, ct);
            Assert.True((await atB.RecordOutcomeAsync(failure, cancellationToken: ct)).Replayed);
            Assert.Equal(after, await QualityAsync(atB, ct));

            // 2. Redis down: RecordOutcome UNAVAILABLE (never a silent drop); both replicas keep ranking.
            await redis.KillAsync();
            var refused = await Assert.ThrowsAsync<RpcException>(() => atA.RecordOutcomeAsync(new RecordOutcomeRequest { Query = Query, Model = Model, Success = true, IdempotencyKey = "during-outage" }, cancellationToken: ct).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.NotEmpty((await atA.RankModelsAsync(new RankModelsRequest { Query = Query }, cancellationToken: ct)).Models);
            Assert.Equal(after, await QualityAsync(atB, ct));

            // 3. Redis back (its AOF): writes resume at A, B catches up; the refused retry counts once now.
            await redis.StartAgainAsync();
            var retry = new RecordOutcomeRequest { Query = Query, Model = Model, Success = false, IdempotencyKey = "during-outage" };
            await RedisOutcomeStoreTests.Eventually(async () =>
            {
                try
                {
                    await atA.RecordOutcomeAsync(retry, cancellationToken: ct);
                    return true;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    return false;
                }
            }, "A could not record after Redis came back");
            acknowledged.Add(retry);
            await RedisOutcomeStoreTests.Eventually(async () => await QualityAsync(atB, ct) < after, "B did not catch up after Redis came back");

            // 4. A acknowledges more, then is killed with -9.
            for (int i = 0; i < 30; i++)
            {
                var r = new RecordOutcomeRequest { Query = $"{Query} number {i}", Model = Model, Score = 0.25, IdempotencyKey = $"before-kill-{i}" };
                Assert.False((await atA.RecordOutcomeAsync(r, cancellationToken: ct)).Replayed);
                acknowledged.Add(r);
            }
        }
        finally
        {
            await a.DisposeAsync(); // SIGKILL
        }

        foreach (var r in acknowledged)
        {
            Assert.True((await atB.RecordOutcomeAsync(r, cancellationToken: ct)).Replayed, $"{r.IdempotencyKey} acknowledged at A is not in the shared store");
        }

        await using var restarted = await ServeProcess.StartAsync(args);
        using var channelA2 = GrpcChannel.ForAddress(restarted.GrpcAddress);
        var atA2 = new Router.RouterClient(channelA2);
        foreach (var r in acknowledged)
        {
            Assert.True((await atA2.RecordOutcomeAsync(r, cancellationToken: ct)).Replayed);
        }
    }

    private static async Task<double> QualityAsync(Router.RouterClient client, CancellationToken ct)
    {
        var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = Query }, cancellationToken: ct);
        return ranked.Models.Single(m => m.Model == Model).SuccessEstimate;
    }
}
