using Microsoft.Extensions.AI;

namespace SemanticRouter.Client;

/// <summary>Settings of <see cref="SemanticRouterChatClient"/> (<c>UseSemanticRouting(o => …)</c>). Null means the default.</summary>
public sealed class SemanticRouterChatClientOptions
{
    /// <summary>
    /// The models this pipeline may call, by the names the router ranks (each resolved as the keyed
    /// <see cref="IChatClient"/> of that name). Empty (the default): the router ranks every model it knows,
    /// and the pipeline takes the best ones it has a client for.
    /// </summary>
    public IReadOnlyList<string> Models { get; set; } = [];

    /// <summary>
    /// The name of the pipeline's inner client: the model called when the router cannot be asked, refuses
    /// the prompt, or ranks no model the pipeline has a client for (the response then says why, see
    /// <see cref="ChatRouting.DefaultReason"/>). Null: the inner client's own model id, else "default".
    /// </summary>
    public string? DefaultModel { get; set; }

    /// <summary>How many ranked models are tried per request, best first, when one throws or times out (default 2; 1 = no fallback).</summary>
    public int MaxAttempts { get; set; } = 2;

    /// <summary>
    /// Longest wait for one model (for a stream: for its first update); then the next ranked model is
    /// tried. Null (the default): no limit but the caller's cancellation token.
    /// </summary>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>Neighbours that vote; null = the router's default.</summary>
    public int? K { get; set; }

    /// <summary>Quality–cost trade-off λ ≥ 0; null = the router's default.</summary>
    public double? CostWeight { get; set; }

    /// <summary>Earlier user and assistant messages sent as conversation context (default 4).</summary>
    public int HistoryTurns { get; set; } = 4;

    /// <summary>Report each call's outcome to the router in the background (default true): a completed call is a success, a thrown one a failure.</summary>
    public bool ReportOutcomes { get; set; } = true;

    /// <summary>
    /// Grades a completed call instead of counting it a success: a score in [0, 1] (1 success, 0 failure).
    /// Runs in the background, after the response went to the caller; if it throws, that outcome is not reported.
    /// </summary>
    public Func<ChatOutcomeContext, CancellationToken, ValueTask<double>>? Judge { get; set; }

    /// <summary>Outcomes waiting to be reported at most (default 1024); beyond that new ones are dropped and logged, never blocking a call.</summary>
    public int OutcomeQueueCapacity { get; set; } = 1024;

    internal void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentException("MaxAttempts must be at least 1.", nameof(MaxAttempts));
        }

        if (AttemptTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("AttemptTimeout must be positive.", nameof(AttemptTimeout));
        }

        if (HistoryTurns < 0)
        {
            throw new ArgumentException("HistoryTurns must not be negative.", nameof(HistoryTurns));
        }

        if (OutcomeQueueCapacity < 1)
        {
            throw new ArgumentException("OutcomeQueueCapacity must be at least 1.", nameof(OutcomeQueueCapacity));
        }
    }
}

/// <summary>What a <see cref="SemanticRouterChatClientOptions.Judge"/> grades: one completed call.</summary>
/// <param name="Messages">The request's messages.</param>
/// <param name="Response">The model's response (for a stream: the updates combined).</param>
/// <param name="Model">The model that answered.</param>
/// <param name="RequestId">The ranking the outcome will be filed under.</param>
public sealed record ChatOutcomeContext(IReadOnlyList<ChatMessage> Messages, ChatResponse Response, string Model, string RequestId);
