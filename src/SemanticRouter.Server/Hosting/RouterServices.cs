using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SemanticRouter.Server.Auth;
using SemanticRouter.Server.Composition;
using SemanticRouter.Server.Limits;
using SemanticRouter.Server.Metrics;
using SemanticRouter.Insight;
using SemanticRouter.Server.Services;
using SemanticRouter.Server.Web;

namespace SemanticRouter.Server.Hosting;

/// <summary>The server's registrations: the gRPC host around a router, and the router the server runs.</summary>
public static class RouterServices
{
    /// <summary>
    /// Registers the Router service (the mapping layer over <see cref="ISemanticRouter"/> and
    /// <see cref="ISemanticRouterAdmin"/>, which the caller registers), its interceptors, health, reflection,
    /// metrics and the start-up that opens the router before the server listens.
    /// </summary>
    public static IServiceCollection AddSemanticRouterServer(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RouterServerOptions>()
            .Bind(configuration.GetSection(SettingNames.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RouterServerOptions>, RouterServerOptionsValidator>();
        services.AddSingleton<RouterMetrics>();
        services.AddSingleton<RouterEndpoints>();
        services.AddSingleton<RouterReadiness>();
        services.AddHostedService<RouterOpener>();
        services.AddHostedService<RuntimeMetrics>();
        services.AddSingleton<ConfiguredKeys>();
        services.AddSingleton<CallRefusal>();
        services.AddSingleton<KeyCheck>();
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        services.AddSingleton(sp => new IndexRoot(sp.GetRequiredService<IOptions<RouterServerOptions>>().Value.IndexRoot
            ?? Path.GetDirectoryName(Path.GetFullPath(configuration[$"{SettingNames.Section}:{nameof(EngineHostOptions.Index)}"] ?? EngineHostOptions.DefaultIndex))
            ?? Directory.GetCurrentDirectory()));
        services.AddSingleton<AdminActions>();
        services.AddSingleton<CallMetricsInterceptor>();
        services.AddSemanticRouterWeb(configuration);

        // Keys are checked by middleware (KeyCheck, mapped in RouterHost.MapSemanticRouter) before a request's
        // message is read; the interceptors run around every call that gets that far.
        services.AddSingleton<CallLimitInterceptor>();
        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallMetricsInterceptor>();
        }).AddServiceOptions<RouterService>(service => service.Interceptors.Add<CallLimitInterceptor>());
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<RouterServerOptions>>((grpc, router) =>
        {
            grpc.MaxReceiveMessageSize = router.Value.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = router.Value.MaxSendMessageSize;
            grpc.ResponseCompressionAlgorithm = router.Value.ResponseCompression;
            grpc.EnableDetailedErrors = router.Value.EnableDetailedErrors;
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<RouterService>, RouterServiceMethodProvider>());
        // Reflection v1 and v1alpha over exactly these services (Grpc.AspNetCore.Server.Reflection
        // discovers services through the generated base class, which RouterService does not use).
        var descriptors = new[] { Grpc.V1.Router.Descriptor, global::Grpc.Health.V1.Health.Descriptor, global::Grpc.Reflection.V1Alpha.ServerReflection.Descriptor, global::Grpc.Reflection.V1.ServerReflection.Descriptor };
        services.AddSingleton(new ReflectionServiceImpl(descriptors));
        services.AddSingleton(new ReflectionV1ServiceImpl(descriptors));
        services.AddGrpcHealthChecks(health =>
            {
                health.Services.Map(string.Empty, _ => true);
                health.Services.Map("semantic_router.v1.Router", _ => true);
            })
            .AddCheck<ReadinessHealthCheck>("router");
        services.AddOptions<HostOptions>().Configure<IOptions<RouterServerOptions>>((host, router) =>
            host.ShutdownTimeout = router.Value.ShutdownTimeout);
        return services;
    }

    /// <summary>
    /// Registers the router the server runs: the engine and its encoder stack, built from the options
    /// (<see cref="EngineHostOptions"/>, <see cref="RankingHostOptions"/>, the limits of <see cref="RouterServerOptions"/>)
    /// when the host starts, and disposed with it.
    /// </summary>
    public static IServiceCollection AddServedEngine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SettingNames.Section);
        services.AddOptions<EngineHostOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EngineHostOptions>, EngineHostOptionsValidator>();
        services.AddOptions<RankingHostOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RankingHostOptions>, RankingHostOptionsValidator>();
        services.AddSingleton(sp => EngineStack.Open(
            sp.GetRequiredService<IOptions<RouterServerOptions>>().Value,
            sp.GetRequiredService<IOptions<EngineHostOptions>>().Value,
            sp.GetRequiredService<IOptions<RankingHostOptions>>().Value,
            sp.GetRequiredService<RouterMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("SemanticRouter.Server"),
            sp.GetService<EarlyEngineLoad>()));
        // The container disposes the engine once per service type it is resolved as; RouterEngine.Dispose is idempotent.
        services.AddSingleton<ISemanticRouter>(sp => sp.GetRequiredService<EngineStack>().Engine);
        services.AddSingleton<ISemanticRouterAdmin>(sp => sp.GetRequiredService<EngineStack>().Engine);
        services.AddSingleton<IRouterInsight>(sp => sp.GetRequiredService<EngineStack>().Engine);
        services.AddHostedService<IndexRollout>(); // off unless IndexWatchSeconds is set
        return services;
    }

    /// <summary>Registers <paramref name="router"/> as the router the server runs (the caller disposes it).</summary>
    public static IServiceCollection AddServedRouter<TRouter>(this IServiceCollection services, TRouter router)
        where TRouter : class, ISemanticRouter, ISemanticRouterAdmin
    {
        ArgumentNullException.ThrowIfNull(router);
        services.AddSingleton<ISemanticRouter>(router);
        services.AddSingleton<ISemanticRouterAdmin>(router);
        if (router is IRouterInsight insight)
        {
            services.AddSingleton(insight);
        }

        return services;
    }

    /// <summary>Registers the router <paramref name="create"/> makes (once, when the host starts; the host disposes it).</summary>
    public static IServiceCollection AddServedRouter<TRouter>(this IServiceCollection services, Func<IServiceProvider, TRouter> create)
        where TRouter : class, ISemanticRouter, ISemanticRouterAdmin
    {
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(create);
        services.AddSingleton<ISemanticRouter>(sp => sp.GetRequiredService<TRouter>());
        services.AddSingleton<ISemanticRouterAdmin>(sp => sp.GetRequiredService<TRouter>());
        return services;
    }
}
