using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SemanticRouter;
using SemanticRouter.Client;

namespace Microsoft.Extensions.AI;

/// <summary>Adds semantic routing to a chat client pipeline.</summary>
public static class SemanticRouterChatClientBuilderExtensions
{
    /// <summary>
    /// Routes each request to the model the <see cref="ISemanticRouter"/> in the services ranks first (see
    /// <see cref="SemanticRouterChatClient"/>): each ranked model is the keyed <see cref="IChatClient"/>
    /// registered under its name (<c>services.AddKeyedChatClient("gpt-4o", …)</c>), and the builder's inner
    /// client is the default model. Register the router with <c>services.AddSemanticRouter(…)</c> (remote)
    /// or <c>services.AddSemanticRouterInProcess(…)</c>.
    /// </summary>
    public static ChatClientBuilder UseSemanticRouting(this ChatClientBuilder builder, Action<SemanticRouterChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Use((inner, services) =>
        {
            var options = new SemanticRouterChatClientOptions();
            configure?.Invoke(options);
            var router = services.GetService<ISemanticRouter>()
                ?? throw new InvalidOperationException("UseSemanticRouting needs an ISemanticRouter: call services.AddSemanticRouter(…) or services.AddSemanticRouterInProcess(…).");
            return new SemanticRouterChatClient(inner, router, model => services.GetKeyedService<IChatClient>(model), options, services.GetService<ILoggerFactory>());
        });
    }

    /// <summary>As above, with an explicit router and model clients (model name → client) instead of the services'.</summary>
    public static ChatClientBuilder UseSemanticRouting(
        this ChatClientBuilder builder, ISemanticRouter router, IReadOnlyDictionary<string, IChatClient> models, Action<SemanticRouterChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(models);
        return builder.Use((inner, services) =>
        {
            var options = new SemanticRouterChatClientOptions();
            configure?.Invoke(options);
            return new SemanticRouterChatClient(inner, router, models, options, services.GetService<ILoggerFactory>());
        });
    }
}
