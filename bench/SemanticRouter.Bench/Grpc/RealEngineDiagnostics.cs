using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using SemanticRouter.Embeddings;
using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Bench.Grpc;

/// <summary>
/// `grpc --real … --diagnose`: where a served call's time goes beyond the model run (docs/grpc.md).
/// (a) the bare encoder after short idle gaps; (b) the bare encoder called from one thread against
/// threads taking turns (a gRPC handler is whichever pool thread is free); (c) a cached call after
/// the client slept, spun, or ran the model itself for about 2 ms (the cost of a cold round trip);
/// (d) the bare encoder against the same encoder behind <see cref="BatchingEmbeddingGenerator"/>
/// from one awaiting caller, in alternating blocks: with the hand-off to its runner thread and back, and
/// with a lone request run on the caller's thread (what `serve` does).
/// </summary>
internal static class RealEngineDiagnostics
{
    private const int Calls = 1500;

    public static async Task RunAsync(SentenceEncoder encoder, Router.RouterClient client, string[] texts, string cachedQuery)
    {
        foreach (var (name, gap) in new (string, Action)[] { ("none", () => { }), ("spin 0.3 ms", () => Spin(0.3)), ("sleep 1 ms", () => Thread.Sleep(1)) })
        {
            var lat = new List<double>(Calls);
            for (int i = 0; i < Calls; i++)
            {
                gap();
                lat.Add(Time(() => encoder.Embed(texts[i % texts.Length])));
            }

            Print($"bare encoder, gap {name}", lat);
        }

        foreach (int threads in new[] { 1, 4, 1, 4 })
        {
            Print($"bare encoder called from {threads} thread(s) taking turns", FromThreads(encoder, texts, threads));
        }

        await CompareRunnerHandOffAsync(encoder, texts);

        var request = new RankModelsRequest { Query = cachedQuery };
        foreach (var (name, before) in new (string, Action<int>)[] { ("sleep 2 ms", _ => Thread.Sleep(2)), ("spin 2 ms", _ => Spin(2)), ("run the model", i => encoder.Embed(texts[i % texts.Length])) })
        {
            var lat = new List<double>(Calls);
            for (int i = 0; i < Calls; i++)
            {
                before(i);
                long t0 = Stopwatch.GetTimestamp();
                await client.RankModelsAsync(request).ResponseAsync;
                lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            Print($"cached call after the client did: {name}", lat);
        }
    }

    private static async Task CompareRunnerHandOffAsync(SentenceEncoder encoder, string[] texts)
    {
        using var runner = new BatchingEmbeddingGenerator(new NotOwned(encoder), new BatchingEmbeddingOptions { RunLoneRequestsInline = false });
        using var inline = new BatchingEmbeddingGenerator(new NotOwned(encoder)); // what `serve` runs: a lone request on the caller's thread
        var direct = new List<double>(Calls);
        var handedOff = new List<double>(Calls);
        var inlined = new List<double>(Calls);
        // Alternate in blocks, not call by call: after an await on the runner the caller continues on
        // some pool thread, and the encoder called directly from a different thread each time is the
        // slow case (b) shows, not the hand-off. Within a block the direct calls stay on one thread.
        const int Block = Calls / 10;
        for (int i = 0; i < Calls; i += Block)
        {
            foreach (var (generator, into) in new (IEmbeddingGenerator<string, Embedding<float>>, List<double>)[] { (encoder, direct), (runner, handedOff), (inline, inlined) })
            {
                for (int j = i; j < i + Block; j++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    await generator.GenerateAsync([texts[j % texts.Length]]).ConfigureAwait(false);
                    into.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
            }
        }

        Print("encoder called directly, 1 caller", direct);
        Print("the same behind BatchingEmbeddingGenerator's runner", handedOff);
        Print("the same behind it, lone requests inline (serve)", inlined);
    }

    /// <summary>Lends the bench's encoder to a generator that would otherwise dispose it with itself.</summary>
    private sealed class NotOwned(SentenceEncoder encoder) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            encoder.GenerateAsync(values, options, cancellationToken);

        public object? GetService(Type serviceType, object? serviceKey = null) => encoder.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }

    /// <summary>Model-run times (measured inside each thread) when <paramref name="threads"/> threads call in turn.</summary>
    private static List<double> FromThreads(SentenceEncoder encoder, string[] texts, int threads)
    {
        var lat = new List<double>(Calls);
        var inboxes = Enumerable.Range(0, threads).Select(_ => new BlockingCollection<string>()).ToArray();
        using var done = new SemaphoreSlim(0);
        var workers = inboxes.Select(box => new Thread(() =>
        {
            foreach (var text in box.GetConsumingEnumerable())
            {
                double ms = Time(() => encoder.Embed(text));
                lock (lat)
                {
                    lat.Add(ms);
                }

                done.Release();
            }
        }) { IsBackground = true }).ToArray();
        Array.ForEach(workers, w => w.Start());
        for (int i = 0; i < Calls; i++)
        {
            inboxes[i % threads].Add(texts[i % texts.Length]);
            done.Wait();
        }

        Array.ForEach(inboxes, b => b.CompleteAdding());
        Array.ForEach(workers, w => w.Join());
        Array.ForEach(inboxes, b => b.Dispose());
        return lat;
    }

    private static double Time(Action action)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    private static void Spin(double ms)
    {
        long until = Stopwatch.GetTimestamp() + (long)(ms / 1000 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
        }
    }

    private static void Print(string what, List<double> lat) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-58} p50 {RealEngineBench.Percentile(lat, 0.5):F3} ms, p90 {RealEngineBench.Percentile(lat, 0.9):F3} ms"));
}
