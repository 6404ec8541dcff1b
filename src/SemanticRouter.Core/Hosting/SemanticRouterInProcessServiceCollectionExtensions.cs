using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SemanticRouter;
using SemanticRouter.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the router in this process (no server) as <see cref="ISemanticRouter"/> and <see cref="ISemanticRouterAdmin"/>.</summary>
public static class SemanticRouterInProcessServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="InProcessRouter"/> over <see cref="InProcessRouterOptions.IndexDirectory"/> as a singleton
    /// <see cref="ISemanticRouter"/>, <see cref="ISemanticRouterAdmin"/> and <see cref="InProcessRouter"/>: the same
    /// interfaces <c>AddSemanticRouter(…)</c> registers for a remote router. The index and model load at the first
    /// resolution; the container disposes them.
    /// </summary>
    public static IServiceCollection AddSemanticRouterInProcess(this IServiceCollection services, Action<InProcessRouterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<InProcessRouterOptions>().Configure(configure);
        return Register(services);
    }

    /// <summary>As above, with the options bound from <paramref name="configuration"/> (IndexDirectory, ModelDirectory, OutcomeDatabase, EmbeddingCacheSize, IntraOpThreads), then <paramref name="configure"/>.</summary>
    public static IServiceCollection AddSemanticRouterInProcess(this IServiceCollection services, IConfiguration configuration, Action<InProcessRouterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<InProcessRouterOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Register(services);
    }

    private static IServiceCollection Register(IServiceCollection services)
    {
        services.AddOptions<InProcessRouterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InProcessRouterOptions>, InProcessRouterOptionsValidator>());
        services.AddSingleton(sp => InProcessRouter.Open(sp.GetRequiredService<IOptions<InProcessRouterOptions>>().Value));
        services.AddSingleton<ISemanticRouter>(sp => sp.GetRequiredService<InProcessRouter>());
        services.AddSingleton<ISemanticRouterAdmin>(sp => sp.GetRequiredService<InProcessRouter>());
        return services;
    }

    private sealed class InProcessRouterOptionsValidator : IValidateOptions<InProcessRouterOptions>
    {
        public ValidateOptionsResult Validate(string? name, InProcessRouterOptions options) =>
            options.Validate() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
