using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Services;

namespace SemanticRouter.Client;

/// <summary>Settings of <see cref="SemanticRouterServiceSelector"/>.</summary>
public sealed class SemanticRouterServiceSelectorOptions
{
    /// <summary>The kernel argument that holds the user's prompt (default "input"); the function's description is used when absent.</summary>
    public string QueryArgument { get; set; } = "input";

    /// <summary>The service ids (= model names in the router) the kernel has; keyed services under these ids are the candidates.</summary>
    public IReadOnlyList<string> ServiceIds { get; set; } = [];

    /// <summary>The service id used when the router cannot be asked or ranks none of <see cref="ServiceIds"/> (null = let Semantic Kernel fail).</summary>
    public string? FallbackServiceId { get; set; }
}

/// <summary>
/// Semantic Kernel's service selector backed by the router: the prompt is ranked, and the best
/// model that the kernel has as a keyed service (service id = model name) is chosen, with the
/// function's execution settings for that id when it has them.
/// </summary>
public sealed class SemanticRouterServiceSelector(RouterClient router, SemanticRouterServiceSelectorOptions options) : IAIServiceSelector
{
    /// <summary>The router's request id of the last selection on this thread (for outcome reporting).</summary>
    [ThreadStatic]
    private static string? t_lastRequestId;

    public static string? LastRequestId => t_lastRequestId;

    public bool TrySelectAIService<T>(
        Kernel kernel, KernelFunction function, KernelArguments arguments,
        [NotNullWhen(true)] out T? service, out PromptExecutionSettings? serviceSettings)
        where T : class, IAIService
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(arguments);
        var query = arguments.TryGetValue(options.QueryArgument, out var value) && value?.ToString() is { Length: > 0 } text
            ? text
            : function.Description;
        var available = options.ServiceIds.Where(id => kernel.Services.GetKeyedService<T>(id) is not null).ToList();
        IEnumerable<string> order = [];
        if (!string.IsNullOrWhiteSpace(query) && available.Count > 0)
        {
            try
            {
                var decision = router.Rank(query, new RankOptions { Candidates = available });
                t_lastRequestId = decision.RequestId;
                order = decision.Models.Select(m => m.Model);
            }
            catch (global::Grpc.Core.RpcException) when (options.FallbackServiceId is not null)
            {
                // Fall back below.
            }
        }

        foreach (var id in order.Append(options.FallbackServiceId).OfType<string>())
        {
            if (kernel.Services.GetKeyedService<T>(id) is { } chosen)
            {
                service = chosen;
                serviceSettings = function.ExecutionSettings is { } settings && settings.TryGetValue(id, out var s) ? s : new PromptExecutionSettings { ServiceId = id };
                return true;
            }
        }

        service = null;
        serviceSettings = null;
        return false;
    }
}

/// <summary>Registers <see cref="SemanticRouterServiceSelector"/>.</summary>
public static class SemanticRouterKernelBuilderExtensions
{
    /// <summary>Makes the router choose which keyed AI service runs each prompt.</summary>
    public static IKernelBuilder AddSemanticRouterServiceSelector(this IKernelBuilder builder, RouterClient router, SemanticRouterServiceSelectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IAIServiceSelector>(new SemanticRouterServiceSelector(router, options));
        return builder;
    }
}
