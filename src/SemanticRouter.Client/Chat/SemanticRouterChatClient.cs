using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SemanticRouter.Client;

/// <summary>
/// An <see cref="IChatClient"/> that asks an <see cref="ISemanticRouter"/> (remote or in-process) which
/// model should answer each request and calls that model's client: the best ranked model first; if it
/// throws or times out, the next, up to <see cref="SemanticRouterChatClientOptions.MaxAttempts"/>. The
/// response says which model answered, the request id and the models that failed
/// (<see cref="ChatRoutingExtensions.GetRouting(ChatResponse)"/>), and every call's outcome is reported to
/// the router in the background (<see cref="SemanticRouterChatClientOptions.ReportOutcomes"/>).
/// </summary>
/// <remarks>
/// <para>
/// The query is the last user message; the earlier user and assistant messages go as context. When the
/// router cannot rank the request, the default client (the pipeline's inner client) answers and the
/// response says why (<see cref="ChatRouting.DefaultReason"/>). A stream falls back only until its first
/// update: after that the caller already has part of the answer.
/// </para>
/// <para>
/// Thread-safe and stateless per request (nothing is kept between calls but the outcome queue). Build it
/// with <c>ChatClientBuilder.UseSemanticRouting(…)</c>; disposing it reports what is still queued, but
/// not the model clients, which belong to the caller.
/// </para>
/// </remarks>
public sealed class SemanticRouterChatClient : IChatClient, IAsyncDisposable
{
    private readonly ISemanticRouter _router;
    private readonly IChatClient _defaultClient;
    private readonly Func<string, IChatClient?> _resolve;
    private readonly SemanticRouterChatClientOptions _options;
    private readonly string _defaultModel;
    private readonly ILogger _logger;
    private readonly OutcomeReporter? _reporter;

    /// <summary>Routes among <paramref name="models"/> (model name → client); <paramref name="defaultClient"/> answers when the router cannot.</summary>
    public SemanticRouterChatClient(
        IChatClient defaultClient, ISemanticRouter router, IReadOnlyDictionary<string, IChatClient> models,
        SemanticRouterChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(defaultClient, router, (models ?? throw new ArgumentNullException(nameof(models))).GetValueOrDefault, options, loggerFactory)
    {
    }

    /// <summary>Routes among the models <paramref name="resolveModel"/> has a client for (null = none).</summary>
    public SemanticRouterChatClient(
        IChatClient defaultClient, ISemanticRouter router, Func<string, IChatClient?> resolveModel,
        SemanticRouterChatClientOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(defaultClient);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(resolveModel);
        _options = options ?? new SemanticRouterChatClientOptions();
        _options.Validate();
        _router = router;
        _defaultClient = defaultClient;
        _resolve = resolveModel;
        _defaultModel = _options.DefaultModel
            ?? (defaultClient.GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId
            ?? "default";
        _logger = (ILogger?)loggerFactory?.CreateLogger<SemanticRouterChatClient>() ?? NullLogger.Instance;
        if (_options.ReportOutcomes)
        {
            _reporter = new OutcomeReporter(router, _options.Judge, _options.OutcomeQueueCapacity, _logger);
        }
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var plan = await PlanAsync(list, cancellationToken).ConfigureAwait(false);
        var failed = new List<string>();
        ExceptionDispatchInfo? last = null;
        for (int i = 0; i < plan.Attempts.Count; i++)
        {
            var (model, client, reported) = plan.Attempts[i];
            using var attempt = StartAttempt(cancellationToken);
            ChatResponse response;
            try
            {
                response = await client.GetResponseAsync(list, options, attempt.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                last = Failed(plan, i, model, reported, TimedOut(e, model, attempt), failed);
                continue;
            }

            response.AdditionalProperties ??= [];
            new ChatRouting(model, plan.RequestId, failed, plan.Reason).WriteTo(response.AdditionalProperties);
            if (reported)
            {
                _reporter?.ReportCompleted(plan.RequestId!, model, list, response);
            }

            return response;
        }

        last!.Throw();
        throw new UnreachableException();
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var plan = await PlanAsync(list, cancellationToken).ConfigureAwait(false);
        var failed = new List<string>();
        ExceptionDispatchInfo? last = null;
        for (int i = 0; i < plan.Attempts.Count; i++)
        {
            var (model, client, reported) = plan.Attempts[i];
            var attempt = StartAttempt(cancellationToken);
            var (stream, first, error) = await StartStreamAsync(client, list, options, attempt).ConfigureAwait(false);
            if (error is not null)
            {
                attempt.Dispose();
                if (cancellationToken.IsCancellationRequested)
                {
                    error.Throw();
                }

                last = Failed(plan, i, model, reported, TimedOut(error.SourceException, model, attempt), failed);
                continue;
            }

            // The first update is out: from here on the stream is this model's, whatever happens.
            attempt.DisableTimeout();
            var collected = reported && _options.Judge is not null ? new List<ChatResponseUpdate>() : null;
            bool completed = false;
            try
            {
                first ??= new ChatResponseUpdate(ChatRole.Assistant, (string?)null);
                first.AdditionalProperties ??= [];
                new ChatRouting(model, plan.RequestId, failed, plan.Reason).WriteTo(first.AdditionalProperties);
                collected?.Add(first);
                yield return first;
                while (stream is not null)
                {
                    bool more;
                    try
                    {
                        more = await stream.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception) when (reported && !cancellationToken.IsCancellationRequested)
                    {
                        _reporter?.ReportFailure(plan.RequestId!, model);
                        throw;
                    }

                    if (!more)
                    {
                        break;
                    }

                    collected?.Add(stream.Current);
                    yield return stream.Current;
                }

                completed = true;
            }
            finally
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                attempt.Dispose();
            }

            if (completed && reported)
            {
                _reporter?.ReportCompleted(plan.RequestId!, model, list, collected is null ? new ChatResponse() : collected.ToChatResponse());
            }

            yield break;
        }

        last!.Throw();
    }

    /// <summary>Completes once every outcome of the calls that returned before it has been reported (or failed to be): for tests and shutdown.</summary>
    public Task FlushOutcomesAsync(CancellationToken cancellationToken = default) =>
        _reporter?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType.IsInstanceOfType(this) ? this
            : serviceType.IsInstanceOfType(_router) ? _router
            : _defaultClient.GetService(serviceType, serviceKey);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public ValueTask DisposeAsync() => _reporter?.DisposeAsync() ?? ValueTask.CompletedTask;

    /// <summary>The models to try, best first, and what the response will say about the choice.</summary>
    private async Task<Plan> PlanAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        int lastUser = -1;
        for (int i = messages.Count - 1; i >= 0 && lastUser < 0; i--)
        {
            if (messages[i].Role == ChatRole.User && !string.IsNullOrWhiteSpace(messages[i].Text))
            {
                lastUser = i;
            }
        }

        if (lastUser < 0)
        {
            return Default(null, DefaultModelReason.NoQuery);
        }

        var request = new RoutingRequest(messages[lastUser].Text)
        {
            History = [.. messages.Take(lastUser)
                .Where(m => (m.Role == ChatRole.User || m.Role == ChatRole.Assistant) && !string.IsNullOrWhiteSpace(m.Text))
                .TakeLast(_options.HistoryTurns)
                .Select(m => new ConversationTurn(m.Role.Value, m.Text))],
            K = _options.K,
            CostWeight = _options.CostWeight,
            Candidates = _options.Models,
        };

        RoutingDecision decision;
        try
        {
            decision = await _router.RankAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = e is RouterException { Code: not RouterErrorCode.Unavailable } ? DefaultModelReason.RouterRefused : DefaultModelReason.RouterUnavailable;
            ChatRoutingLog.RouterFailed(_logger, reason, _defaultModel, e);
            return Default(null, reason);
        }

        var attempts = new List<Attempt>();
        foreach (var ranked in decision.Models)
        {
            if (attempts.Count == _options.MaxAttempts)
            {
                break;
            }

            if (Resolve(ranked.Model) is { } client)
            {
                attempts.Add(new Attempt(ranked.Model, client, Reported: true));
            }
        }

        return attempts.Count > 0
            ? new Plan(decision.RequestId, attempts, DefaultModelReason.None)
            : Default(decision.RequestId, DefaultModelReason.NoRankedModel);
    }

    private IChatClient? Resolve(string model) =>
        _resolve(model) ?? (string.Equals(model, _defaultModel, StringComparison.Ordinal) ? _defaultClient : null);

    private Plan Default(string? requestId, DefaultModelReason reason) =>
        new(requestId, [new Attempt(_defaultModel, _defaultClient, Reported: false)], reason);

    private AttemptScope StartAttempt(CancellationToken cancellationToken) => new(_options.AttemptTimeout, cancellationToken);

    private ExceptionDispatchInfo Failed(Plan plan, int index, string model, bool reported, Exception error, List<string> failed)
    {
        if (reported)
        {
            _reporter?.ReportFailure(plan.RequestId!, model);
        }

        failed.Add(model);
        if (index + 1 < plan.Attempts.Count)
        {
            ChatRoutingLog.ModelFailed(_logger, model, index + 1, plan.Attempts.Count, error);
        }

        return ExceptionDispatchInfo.Capture(error);
    }

    /// <summary>An attempt cancelled by its own timeout is a <see cref="TimeoutException"/>, not a cancellation of the caller's.</summary>
    private Exception TimedOut(Exception error, string model, AttemptScope attempt) =>
        attempt.TimedOut && error is OperationCanceledException
            ? new TimeoutException($"Model {model} did not answer within {_options.AttemptTimeout}.", error)
            : error;

    private static async Task<(IAsyncEnumerator<ChatResponseUpdate>? Stream, ChatResponseUpdate? First, ExceptionDispatchInfo? Error)> StartStreamAsync(
        IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options, AttemptScope attempt)
    {
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        try
        {
            stream = client.GetStreamingResponseAsync(messages, options, attempt.Token).GetAsyncEnumerator(attempt.Token);
            if (await stream.MoveNextAsync().ConfigureAwait(false))
            {
                return (stream, stream.Current, null);
            }

            // An empty stream completed: nothing more to read.
            await stream.DisposeAsync().ConfigureAwait(false);
            return (null, null, null);
        }
        catch (Exception e)
        {
            if (stream is not null)
            {
                try
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The stream already failed; its own clean-up failing too changes nothing.
                }
            }

            return (null, null, ExceptionDispatchInfo.Capture(e));
        }
    }

    private sealed record Attempt(string Model, IChatClient Client, bool Reported);

    private sealed record Plan(string? RequestId, IReadOnlyList<Attempt> Attempts, DefaultModelReason Reason);

    /// <summary>The caller's token, plus this attempt's timeout when one is set.</summary>
    private sealed class AttemptScope : IDisposable
    {
        private readonly CancellationTokenSource? _timeout;
        private readonly CancellationToken _caller;

        public AttemptScope(TimeSpan? timeout, CancellationToken caller)
        {
            _caller = caller;
            if (timeout is { } limit)
            {
                _timeout = CancellationTokenSource.CreateLinkedTokenSource(caller);
                _timeout.CancelAfter(limit);
            }
        }

        public CancellationToken Token => _timeout?.Token ?? _caller;

        public bool TimedOut => _timeout is { IsCancellationRequested: true } && !_caller.IsCancellationRequested;

        public void DisableTimeout() => _timeout?.CancelAfter(Timeout.InfiniteTimeSpan);

        public void Dispose() => _timeout?.Dispose();
    }
}
