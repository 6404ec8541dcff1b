using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Index;
using SemanticRouter.Outcomes;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.EndToEnd;

/// <summary>
/// kill -9 of a real `serve` process while 16 clients record outcomes (by request id and by query text):
/// after each restart every acknowledged outcome is in the store, and replaying it answers `replayed`
/// and counts nothing — across the restart, even though the new process never saw the ranking.
/// </summary>
[Trait("Category", "EndToEnd")] // real serve processes killed with SIGKILL: ./test.sh --all
public class OutcomeKillTests
{
    [Fact]
    public async Task KillDash9_DuringRecordOutcomeLoad_LosesNoAcknowledgedOutcome_AndReplaysCountOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string index = Path.Combine(dir.Path, "index");
        string db = Path.Combine(dir.Path, "outcomes.db");
        using (var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 }))
        {
            IndexBuilder.Build(dir.CopyExampleRoutes(), encoder, index, new HnswOptions { M = 8, EfConstruction = 64, Seed = 3 }, cancellationToken: ct);
        }

        string[] args = ["--index", index, "--db", db, "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0"];
        var acknowledged = new ConcurrentDictionary<string, RecordOutcomeRequest>(StringComparer.Ordinal);
        var rng = new Random();
        for (int round = 0; round < 2; round++)
        {
            var serve = await ServeProcess.StartAsync(args);
            int killAt = acknowledged.Count + rng.Next(100, 400);
            using (var channel = GrpcChannel.ForAddress(serve.GrpcAddress))
            {
                var client = new Router.RouterClient(channel);
                using var stop = new CancellationTokenSource();
                var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
                {
                    for (int i = 0; !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            RecordOutcomeRequest request;
                            if (i % 2 == 0)
                            {
                                var ranked = await client.RankModelsAsync(new RankModelsRequest { Query = $"write a python function number {round}-{w}-{i}" }, deadline: DateTime.UtcNow.AddSeconds(30));
                                request = new RecordOutcomeRequest { RequestId = ranked.RequestId, Model = ranked.Models[0].Model, Success = i % 3 == 0 };
                            }
                            else
                            {
                                request = new RecordOutcomeRequest { Query = $"translate sentence {round}-{w}-{i} into French", Model = "gpt-4o-mini", Score = 0.5, IdempotencyKey = $"k-{round}-{w}-{i}", CostUsd = 0.001 };
                            }

                            var reply = await client.RecordOutcomeAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
                            Assert.True(reply.Durable);
                            Assert.False(reply.Replayed);
                            acknowledged[KeyOf(request)] = request;
                            if (acknowledged.Count >= killAt)
                            {
                                await stop.CancelAsync();
                            }
                        }
                        catch (RpcException) when (stop.IsCancellationRequested)
                        {
                            return; // the process is being killed
                        }
                    }
                })).ToArray();

                await Task.WhenAny(Task.WhenAll(workers), Task.Delay(TimeSpan.FromMinutes(3), ct));
                Assert.True(stop.IsCancellationRequested, $"no {killAt} outcomes within 3 minutes:\n{serve.Output}");
                await serve.DisposeAsync(); // SIGKILL while the others are still calling
                await Task.WhenAll(workers);
            }

            // Restarted: every acknowledged outcome replays (stored, counted once), by request id too.
            await using var restarted = await ServeProcess.StartAsync(args);
            using var again = GrpcChannel.ForAddress(restarted.GrpcAddress);
            var replayClient = new Router.RouterClient(again);
            foreach (var request in acknowledged.Values.OrderBy(_ => rng.Next()).Take(200))
            {
                var reply = await replayClient.RecordOutcomeAsync(request, cancellationToken: ct);
                Assert.True(reply.Replayed, $"acknowledged outcome {KeyOf(request)} did not replay after kill -9");
            }
        }

        using var store = SqliteOutcomeStore.Open(db);
        var stored = store.ReadOutcomes().Select(o => o.IdempotencyKey!).ToList();
        Assert.Equal(stored.Count, stored.Distinct(StringComparer.Ordinal).Count());
        var missing = acknowledged.Keys.Except(stored, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged outcomes missing");
    }

    private static string KeyOf(RecordOutcomeRequest request) =>
        request.IdempotencyKey.Length > 0 ? request.IdempotencyKey : "request:" + request.RequestId + "\n" + request.Model;
}
