using System.Net;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;
using SemanticRouter.Server.Auth;
using SemanticRouter.Server.Engine;
using SemanticRouter.Server.Metrics;
using SemanticRouter.Server.Services;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Entry points of the gRPC host. The CLI's <c>serve</c> calls
/// <see cref="RunAsync(string[], Func{IServiceProvider, IRouterBackend}, IEnumerable{KeyValuePair{string, string}}, CancellationToken)"/>;
/// tests call <see cref="CreateBuilder(string[], Func{IServiceProvider, IRouterBackend}, IEnumerable{KeyValuePair{string, string}})"/>,
/// adjust the builder (e.g. <c>UseTestServer</c>) and then <see cref="Build"/>.
/// </summary>
public static class RouterHost
{
    private const string EndpointItem = "semantic-router.endpoint";
    private const string GrpcEndpoint = "grpc";
    private const string MetricsEndpoint = "metrics";

    /// <summary>A builder with configuration, options, services and Kestrel endpoints set up.</summary>
    /// <param name="args">Command-line arguments in .NET configuration syntax (<c>--SemanticRouter:Port=50051</c>); may be empty.</param>
    /// <param name="backend">Creates the engine backend (may resolve <see cref="RouterMetrics"/> to report into).</param>
    /// <param name="overrides">Settings that win over every other source, e.g. from CLI flags: <c>("Port", "50051")</c>; keys are relative to <see cref="RouterServerOptions.SectionName"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each bad setting.</exception>
    public static WebApplicationBuilder CreateBuilder(
        string[] args,
        Func<IServiceProvider, IRouterBackend> backend,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(backend);
        // Content root = the working directory, so `serve` reads ./appsettings.json.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        AddRouterConfiguration(builder.Configuration, args, overrides);
        // One line per request from ASP.NET Core and grpc-dotnet is noise for a service answering in
        // well under a millisecond; our own catalogue (ServerLog) reports rejections and failures.
        // A more specific Logging:LogLevel category in configuration (e.g. "Grpc.AspNetCore.Server.ServerCallHandler") overrides these.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
        var options = ReadOptions(builder.Configuration);
        builder.Services.AddSemanticRouterServer(builder.Configuration, backend);
        ConfigureKestrel(builder.WebHost, options);
        return builder;
    }

    /// <summary>As the other overload, with a ready-made backend instance.</summary>
    public static WebApplicationBuilder CreateBuilder(
        string[] args,
        IRouterBackend backend,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return CreateBuilder(args, _ => backend, overrides);
    }

    /// <summary>Builds the app and maps the gRPC services, health, reflection, <c>/metrics</c> and <c>/healthz</c>.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.Build();
        app.MapSemanticRouter();
        var options = app.Services.GetRequiredService<IOptions<RouterServerOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SemanticRouter.Server");
        var endpoints = app.Services.GetRequiredService<RouterEndpoints>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (endpoints.Grpc is { } grpc)
            {
                var grpcAddress = grpc.ToString();
                var metricsAddress = endpoints.Metrics?.ToString() ?? "(off)";
                ServerLog.Listening(logger, grpcAddress, endpoints.Tls, metricsAddress, options.ApiKey is not null);
            }
        });
        app.Lifetime.ApplicationStopping.Register(() => ServerLog.Draining(logger, options.ShutdownTimeout));
        return app;
    }

    /// <summary>Runs the server until <paramref name="cancellationToken"/> fires (or SIGINT/SIGTERM), then drains in-flight calls.</summary>
    public static async Task RunAsync(
        string[] args,
        Func<IServiceProvider, IRouterBackend> backend,
        IEnumerable<KeyValuePair<string, string?>>? overrides = null,
        CancellationToken cancellationToken = default)
    {
        var app = Build(CreateBuilder(args, backend, overrides));
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The gRPC and metrics addresses actually bound (port 0 resolved), once the app has started.</summary>
    public static RouterEndpoints GetEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<RouterEndpoints>();
    }

    /// <summary>
    /// Adds configuration sources in the documented order: the builder's defaults (appsettings.json,
    /// appsettings.{Environment}.json, ASPNETCORE_/DOTNET_ variables, <paramref name="args"/>), then
    /// <c>SEMANTIC_ROUTER_*</c> variables, then <paramref name="args"/> again (so the command line wins
    /// over the environment), then <paramref name="overrides"/>.
    /// </summary>
    /// <param name="configuration">The builder to add to.</param>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="overrides">Keys relative to the section; win over everything.</param>
    /// <param name="environment">The environment variables (null = the process's).</param>
    public static void AddRouterConfiguration(
        IConfigurationBuilder configuration,
        string[] args,
        IEnumerable<KeyValuePair<string, string?>>? overrides,
        System.Collections.IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Collections.DictionaryEntry entry in environment ?? Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith(RouterServerOptions.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                fromEnvironment[EnvironmentKey(key[RouterServerOptions.EnvironmentPrefix.Length..])] = entry.Value as string;
            }
        }

        configuration.AddInMemoryCollection(fromEnvironment);
        if (args is { Length: > 0 })
        {
            configuration.AddCommandLine(args);
        }

        if (overrides is not null)
        {
            configuration.AddInMemoryCollection(overrides.Select(p =>
                new KeyValuePair<string, string?>($"{RouterServerOptions.SectionName}:{p.Key}", p.Value)));
        }
    }

    /// <summary>SEMANTIC_ROUTER_MAX_QUERY_BYTES → SemanticRouter:MAXQUERYBYTES (keys bind case-insensitively).</summary>
    internal static string EnvironmentKey(string suffix) =>
        RouterServerOptions.SectionName + ":" + string.Join(':', suffix.Split("__").Select(part => part.Replace("_", string.Empty, StringComparison.Ordinal)));

    /// <summary>Binds and validates the options now, so a bad setting stops start-up with a clear message.</summary>
    public static RouterServerOptions ReadOptions(IConfiguration configuration)
    {
        var options = new RouterServerOptions();
        configuration.GetSection(RouterServerOptions.SectionName).Bind(options);
        var result = new RouterServerOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RouterServerOptions), result.Failures ?? []);
        }

        return options;
    }

    /// <summary>Registers the Router service, its interceptors, health, reflection and metrics.</summary>
    public static IServiceCollection AddSemanticRouterServer(
        this IServiceCollection services,
        IConfiguration configuration,
        Func<IServiceProvider, IRouterBackend> backend)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RouterServerOptions>()
            .Bind(configuration.GetSection(RouterServerOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RouterServerOptions>, RouterServerOptionsValidator>();
        services.AddSingleton(backend);
        services.AddSingleton<RouterMetrics>();
        services.AddSingleton<RouterEndpoints>();
        services.AddSingleton<ApiKeyInterceptor>();
        services.AddSingleton<CallMetricsInterceptor>();

        services.AddGrpc(grpc =>
        {
            grpc.Interceptors.Add<CallMetricsInterceptor>();
        }).AddServiceOptions<RouterService>(service => service.Interceptors.Add<ApiKeyInterceptor>());
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
            .AddCheck<BackendHealthCheck>("index");
        services.AddOptions<HostOptions>().Configure<IOptions<RouterServerOptions>>((host, router) =>
            host.ShutdownTimeout = router.Value.ShutdownTimeout);
        return services;
    }

    /// <summary>Maps the endpoints; <c>/metrics</c> and <c>/healthz</c> answer only on the metrics port.</summary>
    public static WebApplication MapSemanticRouter(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(static (context, next) =>
        {
            // Kestrel tags each connection with the endpoint it came in on; TestServer has no tag,
            // so everything is reachable there.
            var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
            if (items is not null && items.TryGetValue(EndpointItem, out var tag))
            {
                var path = context.Request.Path;
                var monitoring = path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz");
                if (monitoring != (tag as string == MetricsEndpoint))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
            }

            return next(context);
        });
        app.MapGrpcService<RouterService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.MapGrpcService<ReflectionV1ServiceImpl>();
        var registry = app.Services.GetRequiredService<RouterMetrics>().Registry;
        app.MapMetrics("/metrics", registry);
        app.MapHealthChecks("/healthz");
        return app;
    }

    private static void ConfigureKestrel(IWebHostBuilder webHost, RouterServerOptions options)
    {
        webHost.ConfigureKestrel((context, kestrel) =>
        {
            var endpoints = kestrel.ApplicationServices.GetRequiredService<RouterEndpoints>();
            kestrel.Limits.MaxRequestBodySize = null; // gRPC enforces MaxReceiveMessageSize per message.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1024;
            Listen(kestrel, options.Host, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (options.CertificatePath is { } certificate)
                {
                    listen.UseHttps(certificate, options.CertificatePassword);
                }

                Tag(listen, GrpcEndpoint);
                endpoints.GrpcListen = listen;
                endpoints.Tls = options.CertificatePath is not null;
            });
            if (options.MetricsPort >= 0)
            {
                Listen(kestrel, options.Host, options.MetricsPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    Tag(listen, MetricsEndpoint);
                    endpoints.MetricsListen = listen;
                });
            }
        });
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (host == "*")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && port != 0)
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            var address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(host);
            kestrel.Listen(address, port, configure);
        }
    }

    private static void Tag(ListenOptions listen, string name) =>
        listen.Use(next => connection =>
        {
            connection.Items[EndpointItem] = name;
            return next(connection);
        });
}
