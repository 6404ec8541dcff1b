using Microsoft.Extensions.AI;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Core.Tests.Embeddings;

public class BatchingEmbeddingGeneratorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An inner generator whose first call blocks until released, so that later requests queue up.</summary>
    private static (CallbackEmbeddingGenerator Inner, TaskCompletionSource FirstStarted, TaskCompletionSource Release) Gated()
    {
        var inner = new CallbackEmbeddingGenerator();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 1;
        inner.OnGenerate = async (texts, ct) =>
        {
            if (Interlocked.Exchange(ref first, 0) == 1)
            {
                firstStarted.SetResult();
                await release.Task.WaitAsync(ct);
            }

            if (texts.Contains("bad"))
            {
                throw new FormatException("bad text");
            }

            return CallbackEmbeddingGenerator.Embed(texts);
        };
        return (inner, firstStarted, release);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(5, Ct);
        }
    }

    [Fact]
    public async Task GenerateAsync_ConcurrentSingles_CoalescedIntoOneInnerCall()
    {
        var (inner, firstStarted, release) = Gated();
        var batches = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var batching = new BatchingEmbeddingGenerator(inner, new BatchingEmbeddingOptions { OnBatch = batches.Enqueue, MaxWait = TimeSpan.FromMilliseconds(20) });
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var texts = Enumerable.Range(1, 10).Select(i => new string('x', i)).ToList();
        var rest = texts.Select(t => batching.GenerateAsync([t], cancellationToken: Ct)).ToList();
        release.SetResult();

        Assert.Equal(1f, (await first.WaitAsync(Timeout, Ct))[0].Vector.Span[0]);
        for (var i = 0; i < texts.Count; i++)
        {
            var result = await rest[i].WaitAsync(Timeout, Ct);
            Assert.Equal(texts[i].Length, result[0].Vector.Span[0]); // each caller gets its own text's embedding
        }

        Assert.Equal([1, 10], inner.Calls.Select(c => c.Count));
        Assert.Equal([1, 10], batches);
    }

    [Fact]
    public async Task GenerateAsync_MaxBatchSize_Respected()
    {
        var (inner, firstStarted, release) = Gated();
        using var batching = new BatchingEmbeddingGenerator(inner, new BatchingEmbeddingOptions { MaxBatchSize = 4 });
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var rest = Enumerable.Range(1, 10).Select(i => batching.GenerateAsync([new string('y', i)], cancellationToken: Ct)).ToList();
        release.SetResult();
        await Task.WhenAll([first, .. rest]).WaitAsync(Timeout, Ct);
        Assert.All(inner.Calls, c => Assert.True(c.Count <= 4));
        Assert.Equal(11, inner.Calls.Sum(c => c.Count));
    }

    [Fact]
    public async Task GenerateAsync_CallerCancels_OnlyThatCallerCancelled()
    {
        var (inner, firstStarted, release) = Gated();
        using var batching = new BatchingEmbeddingGenerator(inner);
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        using var cts = new CancellationTokenSource();
        var cancelled = batching.GenerateAsync(["gone"], cancellationToken: cts.Token);
        var kept = batching.GenerateAsync(["kept"], cancellationToken: Ct);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Timeout, Ct));
        Assert.False(kept.IsCompleted);
        release.SetResult();
        Assert.Equal(4f, (await kept.WaitAsync(Timeout, Ct))[0].Vector.Span[0]);
        await first.WaitAsync(Timeout, Ct);
        Assert.DoesNotContain(inner.Calls, c => c.Contains("gone"));
    }

    [Fact]
    public async Task GenerateAsync_InnerFailsOnOneText_ExceptionReachesOnlyThatCaller()
    {
        var (inner, firstStarted, release) = Gated();
        using var batching = new BatchingEmbeddingGenerator(inner);
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var ok1 = batching.GenerateAsync(["ok1"], cancellationToken: Ct);
        var bad = batching.GenerateAsync(["bad"], cancellationToken: Ct);
        var ok2 = batching.GenerateAsync(["ok22"], cancellationToken: Ct);
        release.SetResult();
        await first.WaitAsync(Timeout, Ct);
        Assert.Equal(3f, (await ok1.WaitAsync(Timeout, Ct))[0].Vector.Span[0]);
        Assert.Equal(4f, (await ok2.WaitAsync(Timeout, Ct))[0].Vector.Span[0]);
        var ex = await Assert.ThrowsAsync<FormatException>(() => bad.WaitAsync(Timeout, Ct));
        Assert.Equal("bad text", ex.Message);
    }

    [Fact]
    public async Task GenerateAsync_SeveralValuesOrOptions_PassThrough()
    {
        var inner = new CallbackEmbeddingGenerator();
        using var batching = new BatchingEmbeddingGenerator(inner);
        var many = await batching.GenerateAsync(["a", "bb"], cancellationToken: Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(2, many.Count);
        var withOptions = await batching.GenerateAsync(["ccc"], new EmbeddingGenerationOptions { Dimensions = 2 }, Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(3f, withOptions[0].Vector.Span[0]);
        Assert.Equal([2, 1], inner.Calls.Select(c => c.Count));
    }

    [Fact]
    public async Task GenerateAsync_ManyConcurrentCallers_AllAnsweredWithFewerInnerCalls()
    {
        var inner = new CallbackEmbeddingGenerator();
        inner.OnGenerate = async (texts, ct) =>
        {
            await Task.Delay(2, ct);
            return CallbackEmbeddingGenerator.Embed(texts);
        };
        using var batching = new BatchingEmbeddingGenerator(inner);
        var tasks = Enumerable.Range(0, 32).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var text = new string('z', 1 + ((worker + i) % 50));
                var result = await batching.GenerateAsync([text], cancellationToken: Ct);
                Assert.Equal(text.Length, result[0].Vector.Span[0]);
            }
        })).ToList();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(640, inner.Calls.Sum(c => c.Count));
        Assert.True(inner.Calls.Count < 640 / 2, $"{inner.Calls.Count} inner calls for 640 requests");
    }

    [Fact]
    public async Task GenerateAsync_SequentialRequestsFromManyThreads_RunOneByOneOnOneRunnerThread_WhenInlineOff()
    {
        var inner = new CallbackEmbeddingGenerator();
        var innerThreads = new System.Collections.Concurrent.ConcurrentBag<int>();
        inner.OnGenerate = (texts, ct) =>
        {
            innerThreads.Add(Environment.CurrentManagedThreadId);
            return Task.FromResult(CallbackEmbeddingGenerator.Embed(texts));
        };
        var batches = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var batching = new BatchingEmbeddingGenerator(inner, new BatchingEmbeddingOptions { OnBatch = batches.Enqueue, RunLoneRequestsInline = false });
        var callers = new System.Collections.Concurrent.ConcurrentBag<int>();
        for (int i = 0; i < 20; i++)
        {
            var result = await Task.Run(async () =>
            {
                callers.Add(Environment.CurrentManagedThreadId);
                return await batching.GenerateAsync([new string('q', 1 + i)], cancellationToken: Ct);
            }, Ct);
            Assert.Equal(1 + i, result[0].Vector.Span[0]);
        }

        Assert.Single(innerThreads.Distinct()); // the same runner every time, whichever thread asked
        Assert.DoesNotContain(innerThreads.First(), callers);
        Assert.Equal(Enumerable.Repeat(1, 20), batches);
    }

    [Fact]
    public async Task GenerateAsync_LoneRequestOnIdleGenerator_RunsOnTheCallersThread()
    {
        var inner = new CallbackEmbeddingGenerator();
        var innerThreads = new System.Collections.Concurrent.ConcurrentQueue<int>();
        inner.OnGenerate = (texts, ct) =>
        {
            innerThreads.Enqueue(Environment.CurrentManagedThreadId);
            return Task.FromResult(CallbackEmbeddingGenerator.Embed(texts));
        };
        var batches = new System.Collections.Concurrent.ConcurrentQueue<int>();
        using var batching = new BatchingEmbeddingGenerator(inner, new BatchingEmbeddingOptions { OnBatch = batches.Enqueue });
        var callers = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            var result = await Task.Run(() =>
            {
                callers.Add(Environment.CurrentManagedThreadId);
                var call = batching.GenerateAsync([new string('q', 1 + i)], cancellationToken: Ct);
                Assert.True(call.IsCompleted); // no hand-off: done before the call returned
                return call;
            }, Ct);
            Assert.Equal(1 + i, result[0].Vector.Span[0]);
        }

        Assert.Equal(callers, innerThreads);
        Assert.Equal(Enumerable.Repeat(1, 20), batches);
    }

    [Fact]
    public async Task GenerateAsync_AfterABatch_NextLoneRequestGoesToTheRunner_ThenInlineAgain()
    {
        var (inner, firstStarted, release) = Gated();
        var innerThreads = new System.Collections.Concurrent.ConcurrentQueue<(string Text, int Thread)>();
        var gate = inner.OnGenerate;
        inner.OnGenerate = (texts, ct) =>
        {
            innerThreads.Enqueue((texts[0], Environment.CurrentManagedThreadId));
            return gate(texts, ct);
        };
        using var batching = new BatchingEmbeddingGenerator(inner, new BatchingEmbeddingOptions { MaxWait = TimeSpan.FromMilliseconds(20) });
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var batch = Enumerable.Range(1, 3).Select(i => batching.GenerateAsync([new string('b', i)], cancellationToken: Ct)).ToList();
        release.SetResult();
        await Task.WhenAll([first, .. batch]).WaitAsync(Timeout, Ct);

        // The last run was a batch of 3: a lone request now goes to the runner (which waits for company
        // only as long as MaxWait); the one after that, with the last run a lone one, runs inline.
        async Task<int> CallerThreadOf(string text) => await Task.Run(async () =>
        {
            int caller = Environment.CurrentManagedThreadId;
            await batching.GenerateAsync([text], cancellationToken: Ct);
            return caller;
        }, Ct);
        int toRunner = await CallerThreadOf("cccc").WaitAsync(Timeout, Ct);
        int inlined = await CallerThreadOf("ddddd").WaitAsync(Timeout, Ct);

        var threads = innerThreads.ToDictionary(x => x.Text, x => x.Thread);
        Assert.NotEqual(toRunner, threads["cccc"]);
        Assert.Equal(inlined, threads["ddddd"]);
    }

    [Fact]
    public async Task GenerateAsync_InlineRunCancelled_CallerCancelledAndNextRequestServed()
    {
        var (inner, firstStarted, _) = Gated();
        using var batching = new BatchingEmbeddingGenerator(inner);
        using var cts = new CancellationTokenSource();
        var first = batching.GenerateAsync(["a"], cancellationToken: cts.Token);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var queued = batching.GenerateAsync(["bb"], cancellationToken: Ct);
        Assert.False(queued.IsCompleted); // the model slot is taken: it waits for the run in flight
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Timeout, Ct));
        Assert.Equal(2f, (await queued.WaitAsync(Timeout, Ct))[0].Vector.Span[0]);
        var after = await batching.GenerateAsync(["ccc"], cancellationToken: Ct).WaitAsync(Timeout, Ct);
        Assert.Equal(3f, after[0].Vector.Span[0]);
    }

    [Fact]
    public async Task Dispose_PendingCallersFail()
    {
        var (inner, firstStarted, _) = Gated();
        var batching = new BatchingEmbeddingGenerator(inner);
        var first = batching.GenerateAsync(["a"], cancellationToken: Ct);
        await firstStarted.Task.WaitAsync(Timeout, Ct);
        var queued = batching.GenerateAsync(["b"], cancellationToken: Ct);
        batching.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => first.WaitAsync(Timeout, Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => queued.WaitAsync(Timeout, Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batching.GenerateAsync(["c"], cancellationToken: Ct));
    }
}
