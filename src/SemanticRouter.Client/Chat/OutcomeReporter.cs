using System.Threading.Channels;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace SemanticRouter.Client;

/// <summary>
/// Reports outcomes to the router off the caller's path: a bounded queue drained by one background task.
/// A full queue drops the outcome (logged) rather than slowing a chat call; a failed report is logged,
/// never thrown. Owned by one <see cref="SemanticRouterChatClient"/>; disposing it drains what is queued
/// (up to <see cref="DrainTimeout"/>).
/// </summary>
internal sealed class OutcomeReporter : IAsyncDisposable
{
    /// <summary>How long disposing waits for queued reports before abandoning them.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ISemanticRouter _router;
    private readonly Func<ChatOutcomeContext, CancellationToken, ValueTask<double>>? _judge;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly Channel<object> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private int _pending;

    public OutcomeReporter(ISemanticRouter router, Func<ChatOutcomeContext, CancellationToken, ValueTask<double>>? judge, int capacity, ILogger logger)
    {
        _router = router;
        _judge = judge;
        _logger = logger;
        _capacity = capacity;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = Task.Run(DrainAsync);
    }

    /// <summary>A thrown (or timed-out) call: a failure of <paramref name="model"/> on <paramref name="requestId"/>.</summary>
    public void ReportFailure(string requestId, string model) => Enqueue(new Pending(requestId, model, null));

    /// <summary>A completed call: a success, or what the judge makes of it.</summary>
    public void ReportCompleted(string requestId, string model, IReadOnlyList<ChatMessage> messages, ChatResponse response) =>
        Enqueue(new Pending(requestId, model, _judge is null ? null : new ChatOutcomeContext(messages, response, model, requestId)) { Success = true });

    /// <summary>Completes once every outcome queued before the call has been reported (or failed to be).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(done, cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_queue.Writer.TryComplete())
        {
            return;
        }

        try
        {
            await _worker.WaitAsync(DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ChatRoutingLog.OutcomesAbandoned(_logger, Volatile.Read(ref _pending));
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
    }

    private void Enqueue(Pending outcome)
    {
        if (_queue.Writer.TryWrite(outcome))
        {
            Interlocked.Increment(ref _pending);
        }
        else if (!_stopping.IsCancellationRequested)
        {
            ChatRoutingLog.OutcomeDropped(_logger, _capacity, outcome.Model, outcome.RequestId);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (item is TaskCompletionSource flushed)
                {
                    flushed.TrySetResult();
                    continue;
                }

                await ReportAsync((Pending)item).ConfigureAwait(false);
                Interlocked.Decrement(ref _pending);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposed with reports still queued: logged by DisposeAsync.
        }
    }

    private async Task ReportAsync(Pending outcome)
    {
        double score = outcome.Success ? 1 : 0;
        if (outcome.Judged is { } context)
        {
            try
            {
                score = await _judge!(context, _stopping.Token).ConfigureAwait(false);
                if (!(score is >= 0 and <= 1))
                {
                    throw new InvalidOperationException($"The judge returned {score}; a score must be in [0, 1].");
                }
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                ChatRoutingLog.JudgeFailed(_logger, outcome.Model, outcome.RequestId, e);
                return;
            }
        }

        try
        {
            await _router.RecordOutcomeAsync(new OutcomeReport(outcome.Model, score) { RequestId = outcome.RequestId }, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!_stopping.IsCancellationRequested)
        {
            ChatRoutingLog.OutcomeNotReported(_logger, outcome.Model, outcome.RequestId, e);
        }
    }

    private sealed record Pending(string RequestId, string Model, ChatOutcomeContext? Judged)
    {
        public bool Success { get; init; }
    }
}
