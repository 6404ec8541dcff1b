using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SemanticRouter;
using SemanticRouter.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a remote SemanticRouter (a <see cref="RouterClient"/>) as <see cref="ISemanticRouter"/> and <see cref="ISemanticRouterAdmin"/>.</summary>
public static class SemanticRouterServiceCollectionExtensions
{
    /// <summary>
    /// Registers the router at <see cref="RouterClientOptions.Address"/> as a singleton <see cref="ISemanticRouter"/>,
    /// <see cref="ISemanticRouterAdmin"/> and <see cref="RouterClient"/>. The options are checked at the first
    /// resolution (and at host start): a bad address fails there, with the reason.
    /// </summary>
    public static IServiceCollection AddSemanticRouter(this IServiceCollection services, Action<RouterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RouterClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Register(services);
    }

    /// <summary>
    /// As above, with the options bound from <paramref name="configuration"/> (e.g.
    /// <c>builder.Configuration.GetSection("SemanticRouter")</c>: Address, ApiKey, Deadline, MaxAttempts,
    /// InitialBackoff, MaxBackoff), then <paramref name="configure"/>.
    /// </summary>
    public static IServiceCollection AddSemanticRouter(this IServiceCollection services, IConfiguration configuration, Action<RouterClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<RouterClientOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Register(services);
    }

    private static IServiceCollection Register(IServiceCollection services)
    {
        services.AddOptions<RouterClientOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RouterClientOptions>, RouterClientOptionsValidator>());
        services.AddSingleton(sp => new RouterClient(sp.GetRequiredService<IOptions<RouterClientOptions>>().Value));
        services.AddSingleton<ISemanticRouter>(sp => sp.GetRequiredService<RouterClient>());
        services.AddSingleton<ISemanticRouterAdmin>(sp => sp.GetRequiredService<RouterClient>());
        return services;
    }

    /// <summary>Checks the options where they are resolved, naming the problem.</summary>
    private sealed class RouterClientOptionsValidator : IValidateOptions<RouterClientOptions>
    {
        public ValidateOptionsResult Validate(string? name, RouterClientOptions options) =>
            options.Validate() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
