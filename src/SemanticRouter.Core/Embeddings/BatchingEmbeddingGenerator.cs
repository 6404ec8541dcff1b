using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;

namespace SemanticRouter.Embeddings;

/// <summary>Settings of <see cref="BatchingEmbeddingGenerator"/>. Null means the default.</summary>
public sealed class BatchingEmbeddingOptions
{
    private int? _maxBatchSize;
    private TimeSpan? _maxWait;
    private int? _maxConcurrentBatches;

    /// <summary>Most texts per inner call (default 32).</summary>
    public int? MaxBatchSize
    {
        get => _maxBatchSize;
        set => _maxBatchSize = value is null or (>= 1 and <= 4096) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxBatchSize must be in 1..4096.");
    }

    /// <summary>
    /// Longest a batch waits for others to join it (default 2 ms, at most 50 ms). A batch waits only
    /// until it is as large as the previous one, so after a lone request the next one never waits,
    /// and under a steady load of n clients a batch waits just for the n-th.
    /// </summary>
    public TimeSpan? MaxWait
    {
        get => _maxWait;
        set => _maxWait = value is null || (value >= TimeSpan.Zero && value <= TimeSpan.FromMilliseconds(50)) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxWait must be in 0..50 ms.");
    }

    /// <summary>Inner calls in flight at once (default 1: requests arriving meanwhile form the next batch).</summary>
    public int? MaxConcurrentBatches
    {
        get => _maxConcurrentBatches;
        set => _maxConcurrentBatches = value is null or (>= 1 and <= 64) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxConcurrentBatches must be in 1..64.");
    }

    /// <summary>
    /// Whether a lone request on an idle generator (no model run in flight, nothing queued, and the last
    /// run a lone request too) runs on the caller's own thread instead of being handed to a runner
    /// thread (default true). It saves the two thread wake-ups of the hand-off (runner, then the
    /// caller's continuation), measured in docs/grpc.md; requests that arrive while a run is in flight,
    /// and every request while the runs are batches, are batched as before.
    /// </summary>
    public bool? RunLoneRequestsInline { get; set; }

    /// <summary>Called after each inner call with the number of texts it embedded (for metrics).</summary>
    public Action<int>? OnBatch { get; set; }
}

/// <summary>
/// Coalesces concurrent single-text requests into one call of the inner generator, so that an
/// encoder that is faster per text in batches (ONNX Runtime) serves more requests per second
/// under load.
/// </summary>
/// <remarks>
/// <para>Only calls with exactly one value and no options are batched; anything else goes straight
/// to the inner generator. At most <see cref="BatchingEmbeddingOptions.MaxConcurrentBatches"/> inner
/// calls run at once (the model slots). A lone request that finds a slot free, nothing queued and the
/// last run a lone one too runs at once on the caller's thread (<see cref="BatchingEmbeddingOptions.RunLoneRequestsInline"/>): there
/// is nothing to batch it with, and handing it to a runner costs two thread wake-ups. Everything else
/// queues, and dedicated runner threads (one per slot) gather what is queued into one inner call once
/// a slot is free, so requests that arrive while a run is in flight form the next batch.</para>
/// <para>Runner threads rather than the callers' threads run batches because ONNX Runtime spinning
/// (its old default) made the calling thread matter: when it changed from call to call the scheduler
/// often stacked it onto the core a spinning pool thread held, and on 2 cores that tripled the
/// 90th-percentile run time (7.3 ms against 2.4 ms from one thread, 2026-12-01). With spinning off
/// (the encoder's default since) `bench … grpc --real --diagnose` measures whether it still does.</para>
/// <para>Each caller's cancellation is honoured at once (its result is dropped when it arrives); the
/// inner call itself is cancelled only when every caller in it has given up, or on disposal. When a
/// batch fails, each of its texts is retried alone so that an exception reaches only the caller
/// whose text caused it.</para>
/// <para>Thread-safety: all members may be called concurrently.</para>
/// </remarks>
public sealed class BatchingEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly BlockingCollection<Pending> _queue = new(new ConcurrentQueue<Pending>());
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxWait;
    private readonly Action<int>? _onBatch;
    private readonly Thread[] _runners;
    private readonly SemaphoreSlim _slots; // one per inner call allowed in flight
    private readonly bool _inline;
    private int _lastBatchSize = 1; // texts in the latest batch: how many to wait for next time
    private int _waiting; // requests queued or gathered by a runner and not yet run: while any, no one runs inline

    public BatchingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, BatchingEmbeddingOptions? options = null)
        : base(innerGenerator)
    {
        _maxBatchSize = options?.MaxBatchSize ?? 32;
        _maxWait = options?.MaxWait ?? TimeSpan.FromMilliseconds(2);
        _onBatch = options?.OnBatch;
        _inline = options?.RunLoneRequestsInline ?? true;
        _runners = new Thread[options?.MaxConcurrentBatches ?? 1];
        _slots = new SemaphoreSlim(_runners.Length, _runners.Length);
        for (int i = 0; i < _runners.Length; i++)
        {
            _runners[i] = new Thread(RunLoop) { IsBackground = true, Name = $"embedding runner {i}" };
            _runners[i].Start();
        }
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options is not null || !TrySingle(values, out var text))
        {
            return await base.GenerateAsync(values, options, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        // Inline only while requests come one at a time (the last run was a lone one too): under a steady
        // load of n clients the first of them back would otherwise run alone, and the runner would
        // stop waiting for the other n − 1 (it waits for as many as the last run had).
        if (_inline && Volatile.Read(ref _lastBatchSize) == 1 && Volatile.Read(ref _waiting) == 0 && _slots.Wait(0, CancellationToken.None))
        {
            if (Volatile.Read(ref _waiting) == 0)
            {
                return await RunInlineAsync(text, cancellationToken).ConfigureAwait(false);
            }

            _slots.Release(); // someone queued meanwhile: join them rather than overtake them
        }

        var pending = new Pending(text, cancellationToken);
        Interlocked.Increment(ref _waiting);
        _queue.Add(pending, CancellationToken.None);
        if (_stop.IsCancellationRequested)
        {
            // Disposal may have drained the queue just before this item arrived.
            pending.TrySetException(new ObjectDisposedException(nameof(BatchingEmbeddingGenerator)));
        }

        var embedding = await pending.Task.ConfigureAwait(false);
        return [embedding];
    }

    /// <summary>A lone request on an idle generator: the inner call on the caller's thread, holding a model slot.</summary>
    private async Task<GeneratedEmbeddings<Embedding<float>>> RunInlineAsync(string text, CancellationToken cancellationToken)
    {
        try
        {
            GeneratedEmbeddings<Embedding<float>> one;
            if (cancellationToken.CanBeCanceled)
            {
                // Disposal cancels the run too, as it cancels a runner's.
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken);
                one = await InnerGenerator.GenerateAsync([text], null, linked.Token).ConfigureAwait(false);
            }
            else
            {
                one = await InnerGenerator.GenerateAsync([text], null, _stop.Token).ConfigureAwait(false);
            }

            _onBatch?.Invoke(1);
            Volatile.Write(ref _lastBatchSize, 1);
            return one.Count == 1 ? one : throw new InvalidOperationException($"The inner generator returned {one.Count} embeddings for 1 text.");
        }
        finally
        {
            _slots.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            bool joined = true;
            foreach (var runner in _runners)
            {
                joined &= runner.Join(TimeSpan.FromSeconds(5));
            }

            // Inline runs in flight (cancelled above) hold slots until they return.
            for (int i = 0; i < _runners.Length && joined; i++)
            {
                joined &= _slots.Wait(TimeSpan.FromSeconds(5));
            }

            while (_queue.TryTake(out var left))
            {
                left.TrySetException(new ObjectDisposedException(nameof(BatchingEmbeddingGenerator)));
            }

            if (joined)
            {
                // A runner or inline call stuck in an inner call past the timeout may still touch these.
                _stop.Dispose();
                _queue.Dispose();
                _slots.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static bool TrySingle(IEnumerable<string> values, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (values is IReadOnlyList<string> list)
        {
            if (list.Count == 1)
            {
                text = list[0];
            }
        }
        else
        {
            using var e = values.GetEnumerator();
            if (e.MoveNext())
            {
                var first = e.Current;
                if (!e.MoveNext())
                {
                    text = first;
                }
            }
        }

        return text is not null;
    }

    /// <summary>One runner: take the first queued request, wait for a model slot, gather what queued
    /// meanwhile, wait up to MaxWait until the batch is as large as the last one (so a lone request
    /// never waits for company), run it.</summary>
    private void RunLoop()
    {
        var stop = _stop.Token;
        var batch = new List<Pending>(_maxBatchSize);
        bool slot = false;
        try
        {
            while (true)
            {
                batch.Clear();
                batch.Add(_queue.Take(stop));
                _slots.Wait(stop);
                slot = true;
                while (batch.Count < _maxBatchSize && _queue.TryTake(out var more))
                {
                    batch.Add(more);
                }

                // Wait for company only as many as the last batch had: under a steady load of n
                // clients the first of them to come back would otherwise run alone while the other
                // n − 1 arrive a fraction of a millisecond later, and each batch would wait out the
                // whole MaxWait for a size the load never reaches. After a lone request, none waits.
                int expected = Math.Min(_maxBatchSize, Volatile.Read(ref _lastBatchSize));
                if (batch.Count < expected && _maxWait > TimeSpan.Zero)
                {
                    long deadline = Stopwatch.GetTimestamp() + (long)(_maxWait.TotalSeconds * Stopwatch.Frequency);
                    while (batch.Count < expected)
                    {
                        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                        if (left <= TimeSpan.Zero || !_queue.TryTake(out var late, (int)left.TotalMilliseconds, stop))
                        {
                            break;
                        }

                        batch.Add(late);
                    }
                }

                int gathered = batch.Count;
                batch.RemoveAll(p => p.IsCompleted); // callers that gave up while queued
                try
                {
                    if (batch.Count > 0)
                    {
                        Volatile.Write(ref _lastBatchSize, batch.Count);
                        RunBatch(batch);
                    }
                }
                finally
                {
                    Interlocked.Add(ref _waiting, -gathered);
                    slot = false;
                    _slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed: whatever is still queued is failed by Dispose.
            batch.ForEach(p => p.TrySetException(new ObjectDisposedException(nameof(BatchingEmbeddingGenerator))));
            if (slot)
            {
                _slots.Release();
            }
        }
    }

    private void RunBatch(List<Pending> batch)
    {
        // Cancel the inner call only if every caller has gone (or on disposal).
        using var abandoned = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var remaining = batch.Count;
        var registrations = new List<CancellationTokenRegistration>(batch.Count);
        foreach (var item in batch)
        {
            registrations.Add(item.CancellationToken.UnsafeRegister(_ =>
            {
                if (Interlocked.Decrement(ref remaining) == 0)
                {
                    abandoned.Cancel();
                }
            }, null));
        }

        try
        {
            // A dedicated thread may block: the inner generator (ONNX Runtime) is synchronous anyway.
            var embeddings = InnerGenerator.GenerateAsync(batch.Select(p => p.Text).ToList(), null, abandoned.Token).GetAwaiter().GetResult();
            _onBatch?.Invoke(batch.Count);
            if (embeddings.Count != batch.Count)
            {
                var error = new InvalidOperationException($"The inner generator returned {embeddings.Count} embeddings for {batch.Count} texts.");
                batch.ForEach(p => p.TrySetException(error));
                return;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(embeddings[i]);
            }
        }
        catch (Exception) when (batch.Count > 1 && !abandoned.IsCancellationRequested)
        {
            // Find the culprit: each text alone, so each caller gets its own result or exception.
            batch.ForEach(RunAlone);
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.TrySetException(ex));
        }
        finally
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }

    private void RunAlone(Pending pending)
    {
        if (pending.IsCompleted)
        {
            return;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, pending.CancellationToken);
            var one = InnerGenerator.GenerateAsync([pending.Text], null, linked.Token).GetAwaiter().GetResult();
            _onBatch?.Invoke(1);
            if (one.Count == 1)
            {
                pending.TrySetResult(one[0]);
            }
            else
            {
                pending.TrySetException(new InvalidOperationException($"The inner generator returned {one.Count} embeddings for 1 text."));
            }
        }
        catch (Exception ex)
        {
            pending.TrySetException(ex);
        }
    }

    /// <summary>One queued request: completes with its embedding, its exception, or its cancellation.</summary>
    private sealed class Pending : TaskCompletionSource<Embedding<float>>
    {
        private readonly CancellationTokenRegistration _registration;

        public Pending(string text, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            Text = text;
            CancellationToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Pending)state!).Cancel(token), this);
            }
        }

        public string Text { get; }

        public CancellationToken CancellationToken { get; }

        public bool IsCompleted => Task.IsCompleted;

        private void Cancel(CancellationToken token)
        {
            if (TrySetCanceled(token))
            {
                // Result no longer wanted; the registration is released with the source.
            }
        }

        public new void TrySetResult(Embedding<float> result)
        {
            base.TrySetResult(result);
            _registration.Dispose();
        }

        public new void TrySetException(Exception exception)
        {
            base.TrySetException(exception);
            _registration.Dispose();
        }
    }
}
