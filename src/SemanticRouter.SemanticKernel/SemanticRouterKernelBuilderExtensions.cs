using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SemanticRouter;
using SemanticRouter.SemanticKernel;

namespace Microsoft.SemanticKernel;

/// <summary>Makes a SemanticRouter choose the service that runs each prompt.</summary>
public static class SemanticRouterKernelBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="SemanticRouterServiceSelector"/> over the <see cref="ISemanticRouter"/> in the kernel's
    /// services (<c>builder.Services.AddSemanticRouter(…)</c> or <c>AddSemanticRouterInProcess(…)</c>).
    /// </summary>
    public static IKernelBuilder AddSemanticRouter(this IKernelBuilder builder, Action<SemanticRouterServiceSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Options(configure);
        builder.Services.AddSingleton<IAIServiceSelector>(sp => new SemanticRouterServiceSelector(
            sp.GetService<ISemanticRouter>() ?? throw new InvalidOperationException("AddSemanticRouter needs an ISemanticRouter in the kernel's services: call builder.Services.AddSemanticRouter(…) or AddSemanticRouterInProcess(…)."),
            options,
            sp.GetService<ILogger<SemanticRouterServiceSelector>>()));
        return builder;
    }

    /// <summary>As above, over <paramref name="router"/>.</summary>
    public static IKernelBuilder AddSemanticRouter(this IKernelBuilder builder, ISemanticRouter router, Action<SemanticRouterServiceSelectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(router);
        var options = Options(configure);
        builder.Services.AddSingleton<IAIServiceSelector>(sp => new SemanticRouterServiceSelector(router, options, sp.GetService<ILogger<SemanticRouterServiceSelector>>()));
        return builder;
    }

    private static SemanticRouterServiceSelectorOptions Options(Action<SemanticRouterServiceSelectorOptions>? configure)
    {
        var options = new SemanticRouterServiceSelectorOptions();
        configure?.Invoke(options);
        return options;
    }
}
