using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.AI;

namespace SemanticRouter.Client;

/// <summary>Settings of <see cref="SemanticRouterChatClient"/>.</summary>
public sealed class SemanticRouterChatClientOptions
{
    /// <summary>The model to use when the router is unreachable or ranks none of the known models (null = fail instead).</summary>
    public string? DefaultModel { get; set; }

    /// <summary>k for the router (0 = server default).</summary>
    public int K { get; set; }

    /// <summary>Quality–cost trade-off λ (null = server default).</summary>
    public double? CostWeight { get; set; }

    /// <summary>How many earlier messages are sent as conversation context (default 4).</summary>
    public int HistoryTurns { get; set; } = 4;
}

/// <summary>
/// An <see cref="IChatClient"/> that asks the router which model should answer and forwards the
/// call to that model's client, in the shape of Microsoft.Extensions.AI's delegating clients but
/// with one inner client per model. The query is the last user message; earlier messages go as
/// context; the candidates are the models this client knows. The response carries the router's
/// request id and model in <see cref="ChatResponse.AdditionalProperties"/> (keys
/// <see cref="RequestIdKey"/>, <see cref="ModelKey"/>) so the caller can report the outcome with
/// <see cref="RecordOutcomeAsync"/>.
/// </summary>
/// <remarks>
/// Not derived from Microsoft.Extensions.AI's own <c>RoutingChatClient</c> template, which is
/// experimental (MEAI001) in 10.11; the name differs so that both can be imported together.
/// </remarks>
public sealed class SemanticRouterChatClient : IChatClient
{
    public const string RequestIdKey = "semantic_router.request_id";
    public const string ModelKey = "semantic_router.model";

    private readonly RouterClient _router;
    private readonly IReadOnlyDictionary<string, IChatClient> _models;
    private readonly SemanticRouterChatClientOptions _options;
    private readonly string[] _candidates;

    public SemanticRouterChatClient(RouterClient router, IReadOnlyDictionary<string, IChatClient> models, SemanticRouterChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("At least one model is required.", nameof(models));
        }

        _router = router;
        _models = models;
        _options = options ?? new SemanticRouterChatClientOptions();
        if (_options.DefaultModel is { } fallback && !models.ContainsKey(fallback))
        {
            throw new ArgumentException($"DefaultModel '{fallback}' is not one of the models.", nameof(options));
        }

        _candidates = [.. models.Keys];
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var (model, requestId) = await SelectAsync(list, cancellationToken).ConfigureAwait(false);
        var response = await _models[model].GetResponseAsync(list, options, cancellationToken).ConfigureAwait(false);
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[ModelKey] = model;
        if (requestId is not null)
        {
            response.AdditionalProperties[RequestIdKey] = requestId;
        }

        return response;
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var (model, requestId) = await SelectAsync(list, cancellationToken).ConfigureAwait(false);
        var first = true;
        await foreach (var update in _models[model].GetStreamingResponseAsync(list, options, cancellationToken).ConfigureAwait(false))
        {
            if (first)
            {
                update.AdditionalProperties ??= [];
                update.AdditionalProperties[ModelKey] = model;
                if (requestId is not null)
                {
                    update.AdditionalProperties[RequestIdKey] = requestId;
                }

                first = false;
            }

            yield return update;
        }
    }

    /// <summary>Reports how well the routed model did on <paramref name="response"/>.</summary>
    public Task RecordOutcomeAsync(ChatResponse response, bool success, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.AdditionalProperties?.TryGetValue(RequestIdKey, out var id) != true || id is not string requestId ||
            response.AdditionalProperties?.TryGetValue(ModelKey, out var m) != true || m is not string model)
        {
            throw new ArgumentException("The response was not routed by this client (no request id).", nameof(response));
        }

        return _router.RecordOutcomeAsync(requestId, model, success, cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this
            : serviceKey is null && serviceType == typeof(RouterClient) ? _router
            : null;
    }

    public void Dispose()
    {
        // The router and the inner clients belong to the caller.
    }

    private async Task<(string Model, string? RequestId)> SelectAsync(IList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var lastUser = messages.LastOrDefault(m => m.Role == ChatRole.User);
        var query = lastUser?.Text;
        if (string.IsNullOrWhiteSpace(query))
        {
            return (_options.DefaultModel ?? throw new InvalidOperationException("There is no user message to route and no DefaultModel."), null);
        }

        var index = messages.IndexOf(lastUser!);
        var history = messages.Take(index)
            .Where(m => (m.Role == ChatRole.User || m.Role == ChatRole.Assistant) && !string.IsNullOrWhiteSpace(m.Text))
            .TakeLast(_options.HistoryTurns)
            .Select(m => (m.Role.Value, m.Text))
            .ToList();
        try
        {
            var decision = await _router.RankAsync(query, new RankOptions
            {
                K = _options.K,
                Candidates = _candidates,
                CostWeight = _options.CostWeight,
                History = history,
            }, cancellationToken).ConfigureAwait(false);
            var chosen = decision.Models.Select(m => m.Model).FirstOrDefault(_models.ContainsKey) ?? _options.DefaultModel
                ?? throw new InvalidOperationException("The router ranked none of the known models and there is no DefaultModel.");
            return (chosen, decision.RequestId);
        }
        catch (RpcException ex) when (_options.DefaultModel is not null && ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
        {
            return (_options.DefaultModel, null);
        }
    }
}

/// <summary>Creates a <see cref="SemanticRouterChatClient"/>.</summary>
public static class SemanticRouterChatClientExtensions
{
    /// <summary>An <see cref="IChatClient"/> that routes each request to one of <paramref name="models"/> (model name → client).</summary>
    public static SemanticRouterChatClient AsSemanticRouterChatClient(this RouterClient router, IReadOnlyDictionary<string, IChatClient> models, SemanticRouterChatClientOptions? options = null) =>
        new(router, models, options);
}
