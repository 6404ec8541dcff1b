using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Services;

namespace SemanticRouter.SemanticKernel;

/// <summary>
/// Semantic Kernel's service selector backed by an <see cref="ISemanticRouter"/>: the prompt is ranked and
/// the best model the kernel has as a keyed service (service id = model name) runs it, with the function's
/// execution settings for that id when it has them. Works with keyed <see cref="IChatClient"/> services
/// (<see cref="IChatClientSelector"/>) and keyed <c>IChatCompletionService</c> or other
/// <see cref="IAIService"/> services (<see cref="IAIServiceSelector"/>).
/// </summary>
/// <remarks>
/// Stateless: the selection is written to the invocation's <see cref="KernelArguments"/>
/// (<see cref="KernelRoutingExtensions.GetRouting(KernelArguments)"/>). Semantic Kernel's selectors are
/// synchronous, so the ranking is awaited on the calling thread.
/// </remarks>
public sealed partial class SemanticRouterServiceSelector : IAIServiceSelector, IChatClientSelector
{
    private readonly ISemanticRouter _router;
    private readonly SemanticRouterServiceSelectorOptions _options;
    private readonly ILogger _logger;

    public SemanticRouterServiceSelector(ISemanticRouter router, SemanticRouterServiceSelectorOptions? options = null, ILogger<SemanticRouterServiceSelector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        _router = router;
        _options = options ?? new SemanticRouterServiceSelectorOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public bool TrySelectAIService<T>(
        Kernel kernel, KernelFunction function, KernelArguments arguments,
        [NotNullWhen(true)] out T? service, out PromptExecutionSettings? serviceSettings)
        where T : class, IAIService =>
        TrySelect(kernel, function, arguments, out service, out serviceSettings);

    public bool TrySelectChatClient<T>(
        Kernel kernel, KernelFunction function, KernelArguments arguments,
        [NotNullWhen(true)] out T? service, out PromptExecutionSettings? serviceSettings)
        where T : class, IChatClient =>
        TrySelect(kernel, function, arguments, out service, out serviceSettings);

    private bool TrySelect<T>(
        Kernel kernel, KernelFunction function, KernelArguments arguments,
        [NotNullWhen(true)] out T? service, out PromptExecutionSettings? serviceSettings)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        service = null;
        serviceSettings = null;

        // Semantic Kernel asks for one service type after another (IChatCompletionService, then IChatClient):
        // rank only for a type the kernel has, so that one invocation asks the router once.
        var candidates = _options.ServiceIds.Where(id => kernel.Services.GetKeyedService<T>(id) is not null).ToList();
        var fallback = _options.FallbackServiceId is { } f && kernel.Services.GetKeyedService<T>(f) is not null ? f : null;
        bool hasType = _options.ServiceIds.Count > 0
            ? candidates.Count > 0 || fallback is not null
            : fallback is not null || kernel.Services.GetKeyedServices<T>(KeyedService.AnyKey).Any();
        if (!hasType)
        {
            return false;
        }

        KernelRouting? routing = null;
        if (Query(function, arguments) is { } query)
        {
            try
            {
                var request = new RoutingRequest(query) { Candidates = candidates, K = _options.K, CostWeight = _options.CostWeight };
                var decision = Wait(_router.RankAsync(request));
                routing = decision.Models.Select(m => m.Model).Where(id => kernel.Services.GetKeyedService<T>(id) is not null)
                    .Select(id => new KernelRouting(id, decision.RequestId)).FirstOrDefault();
            }
            catch (Exception e) when (fallback is not null)
            {
                RouterFailed(_logger, fallback, e);
            }
        }

        routing ??= fallback is null ? null : new KernelRouting(fallback, null);
        if (routing is null || kernel.Services.GetKeyedService<T>(routing.ServiceId) is not { } chosen)
        {
            return false;
        }

        arguments.SetRouting(routing);
        service = chosen;
        serviceSettings = Settings(function, routing.ServiceId);
        return true;
    }

    private string? Query(KernelFunction function, KernelArguments arguments)
    {
        if (arguments.TryGetValue(_options.QueryArgument, out var value) && value?.ToString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        var strings = arguments.Where(a => !a.Key.StartsWith("semantic_router.", StringComparison.Ordinal) && a.Value is string { Length: > 0 })
            .Select(a => (string)a.Value!).ToList();
        return strings.Count > 0 ? string.Join('\n', strings)
            : string.IsNullOrWhiteSpace(function.Description) ? null
            : function.Description;
    }

    private static PromptExecutionSettings Settings(KernelFunction function, string serviceId) =>
        function.ExecutionSettings is { } settings && (settings.TryGetValue(serviceId, out var own) || settings.TryGetValue(PromptExecutionSettings.DefaultServiceId, out own))
            ? own
            : new PromptExecutionSettings { ServiceId = serviceId };

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, EventName = "RouterFailed",
        Message = "The router could not rank the prompt; the fallback service {ServiceId} runs it")]
    private static partial void RouterFailed(ILogger logger, string serviceId, Exception exception);

    /// <summary>Semantic Kernel selects synchronously; off any synchronization context so that the wait cannot deadlock.</summary>
    private static TResult Wait<TResult>(Task<TResult> task) =>
        SynchronizationContext.Current is null ? task.GetAwaiter().GetResult() : Task.Run(() => task).GetAwaiter().GetResult();
}
