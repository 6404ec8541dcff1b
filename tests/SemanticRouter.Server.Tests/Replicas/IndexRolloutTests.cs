using System.Collections.Concurrent;
using Grpc.Net.Client;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Index;
using SemanticRouter.Routes;
using SemanticRouter.Server.Tests.EndToEnd;
using SemanticRouter.Tests;

namespace SemanticRouter.Server.Tests.Replicas;

/// <summary>
/// Index roll-out: an index rebuilt once (`build` into the published directory) while two real replicas
/// watching it serve 8 clients; each replica verifies and hot-swaps it with no failed call, and says which
/// version it serves in its answers, its health details and /metrics.
/// </summary>
[Trait("Category", "EndToEnd")] // two serve processes: ./test.sh --all
public class IndexRolloutTests
{
    private static readonly HnswOptions Hnsw = new() { M = 8, EfConstruction = 64, Seed = 3 };

    [Fact]
    public async Task PublishedIndex_IsHotSwappedByEveryReplica_UnderLoad_WithNoFailedCall()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TestDirectory();
        string routes = dir.CopyExampleRoutes();
        string index = Path.Combine(dir.Path, "index");
        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        IndexBuilder.Build(routes, encoder, index, Hnsw, cancellationToken: ct);
        string before = RouterArtifact.ReadManifest(index).IndexVersion;

        ServeProcess[] replicas = [];
        try
        {
            replicas = await Task.WhenAll(new[] { "a", "b" }.Select(name => ServeProcess.StartAsync(
                ["--index", index, "--db", Path.Combine(dir.Path, name + ".outcomes.db"), "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0",
                 "--intra-op-threads", "1", "--SemanticRouter:IndexWatchSeconds=0.2"])));
            var channels = replicas.Select(r => GrpcChannel.ForAddress(r.GrpcAddress)).ToArray();
            var clients = channels.Select(c => new Router.RouterClient(c)).ToArray();
            using var stop = new CancellationTokenSource();
            var failures = new ConcurrentBag<string>();
            var seen = new ConcurrentDictionary<(int Replica, string Version), bool>();
            int calls = 0;
            var load = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    int replica = (w + i) % 2;
                    try
                    {
                        var reply = await clients[replica].RankModelsAsync(new RankModelsRequest { Query = $"write a rust function number {w}-{i}" }, deadline: DateTime.UtcNow.AddSeconds(30));
                        seen[(replica, reply.IndexVersion)] = true;
                        Interlocked.Increment(ref calls);
                    }
                    catch (Exception e)
                    {
                        failures.Add(e.Message);
                    }
                }
            })).ToArray();

            // Build once, into the directory the replicas watch (published whole: the directory is swapped).
            RouteFileEditor.AddUtterance(routes, "coding", "port this cobol batch job to a rust service");
            IndexBuilder.Build(routes, encoder, index, Hnsw, cancellationToken: ct);
            string after = RouterArtifact.ReadManifest(index).IndexVersion;
            Assert.NotEqual(before, after);

            await RedisOutcomeStoreTests.Eventually(() => seen.ContainsKey((0, after)) && seen.ContainsKey((1, after)), "not every replica served the new index");
            await stop.CancelAsync();
            await Task.WhenAll(load);
            Assert.True(failures.IsEmpty, $"{failures.Count} of {calls + failures.Count} calls failed during the roll-out: {failures.FirstOrDefault()}");

            foreach (var replica in replicas)
            {
                using var http = new HttpClient { BaseAddress = replica.MetricsAddress };
                var health = await http.GetStringAsync(new Uri("/healthz", UriKind.Relative), ct);
                Assert.Contains($"\"index_version\":\"{after}\"", health, StringComparison.Ordinal);
                var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
                Assert.Contains($"semantic_router_index_info{{version=\"{after}\"}} 1", metrics, StringComparison.Ordinal);
                Assert.DoesNotContain($"version=\"{before}\"", metrics, StringComparison.Ordinal);
            }

            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
        finally
        {
            foreach (var r in replicas)
            {
                await r.DisposeAsync();
            }
        }
    }
}
