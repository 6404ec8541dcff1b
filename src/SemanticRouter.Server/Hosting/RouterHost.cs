using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Grpc.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Prometheus;
using SemanticRouter.Server.Auth;
using SemanticRouter.Server.Composition;
using SemanticRouter.Server.Metrics;
using SemanticRouter.Server.Services;
using SemanticRouter.Server.Web;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Entry points of the server. `semantic-router serve`, a container and the end-to-end tests all start it
/// with <see cref="RunAsync"/> or <see cref="CreateBuilder(string[], IEnumerable{KeyValuePair{string, string}})"/>:
/// the router is the engine, built from configuration (<see cref="RouterConfiguration"/>). Tests and
/// benchmarks that bring their own router use <see cref="CreateBuilder{TRouter}(string[], TRouter, IEnumerable{KeyValuePair{string, string}})"/>.
/// Then adjust the builder (e.g. <c>UseTestServer</c>) and <see cref="Build"/>.
/// </summary>
public static class RouterHost
{
    private const string EndpointItem = "semantic-router.endpoint";
    private const string GrpcEndpoint = "grpc";
    private const string MetricsEndpoint = "metrics";

    /// <summary>The Generic Host's log category (its "Hosting failed to start" error, event 11).</summary>
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>A server that runs the engine, everything set from configuration; nothing is opened until it starts.</summary>
    /// <param name="args">Command-line arguments in .NET configuration syntax (<c>--SemanticRouter:Port=50051</c>); may be empty.</param>
    /// <param name="overrides">Settings that win over every other source, e.g. from CLI flags: <c>("Port", "50051")</c>; keys are relative to <see cref="SettingNames.Section"/>.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each bad one.</exception>
    public static WebApplicationBuilder CreateBuilder(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = NewBuilder(args, overrides);
        AddEngineServer(builder, RouterConfiguration.ReadSettings(builder.Configuration));
        return builder;
    }

    private static void AddEngineServer(WebApplicationBuilder builder, RouterSettings settings)
    {
        builder.Services.AddSemanticRouterServer(builder.Configuration);
        builder.Services.AddServedEngine(builder.Configuration);
        ConfigureKestrel(builder.WebHost, settings.Server);
    }

    /// <summary>A server over <paramref name="router"/> (the caller disposes it), with the host's settings from configuration.</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each bad one.</exception>
    public static WebApplicationBuilder CreateBuilder<TRouter>(string[] args, TRouter router, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
        where TRouter : class, ISemanticRouter, ISemanticRouterAdmin
    {
        ArgumentNullException.ThrowIfNull(router);
        return CreateBuilder(args, services => services.AddServedRouter(router), overrides);
    }

    /// <summary>A server over the router <paramref name="create"/> makes when the host starts (the host disposes it).</summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the message names each bad one.</exception>
    public static WebApplicationBuilder CreateBuilder<TRouter>(string[] args, Func<IServiceProvider, TRouter> create, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
        where TRouter : class, ISemanticRouter, ISemanticRouterAdmin
    {
        ArgumentNullException.ThrowIfNull(create);
        return CreateBuilder(args, services => services.AddServedRouter(create), overrides);
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
                var startupMs = SinceProcessStart();
                ServerLog.Listening(logger, grpcAddress, endpoints.Tls, metricsAddress, Secrets.ApiKey(options) is not null, startupMs);
                if (!RouterServerOptionsValidator.IsLoopback(options.Host) && Secrets.ApiKey(options) is null)
                {
                    ServerLog.ServingUnauthenticated(logger, options.Host);
                }

                if (endpoints.Metrics is { } http && logger.IsEnabled(LogLevel.Information) && app.Services.GetRequiredService<IOptions<WebOptions>>().Value.Enabled)
                {
                    var page = new Uri(http, WebSetup.PathBase).ToString();
                    bool admin = Secrets.AdminKey(options) is not null;
                    ServerLog.WebPage(logger, page, admin || Secrets.ApiKey(options) is not null, admin);
                }
            }
        });
        app.Lifetime.ApplicationStopping.Register(() => ServerLog.Draining(logger, options.ShutdownTimeout));
        return app;
    }

    /// <summary>
    /// Runs the server that runs the engine until <paramref name="cancellationToken"/> fires (or SIGINT/SIGTERM),
    /// then drains in-flight calls: what `semantic-router serve` and a container run.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid.</exception>
    /// <exception cref="RouterStartupException">The index, model or outcome store a setting names cannot be opened.</exception>
    public static async Task RunAsync(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null, CancellationToken cancellationToken = default)
    {
        var builder = NewBuilder(args, overrides);
        var settings = RouterConfiguration.ReadSettings(builder.Configuration);
        // The index and model load while the host is built (EarlyEngineLoad); the engine takes it when the host starts,
        // and this disposes it if the start fails before that.
        using var early = EarlyEngineLoad.Begin(settings.Engine);
        builder.Services.AddSingleton(early);
        AddEngineServer(builder, settings);
        // A start that fails (a busy port, an index that cannot be opened) is thrown to the caller, which reports
        // it in one line (`serve` does, with an exit code); the host's own error log of it is a stack trace of the
        // same failure, so it is left out until the server has started. After that the host logs as usual.
        var started = false;
        // (This rule replaces the configured level of that one category: Information, as by default.)
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && (level < LogLevel.Error || Volatile.Read(ref started)));
        var app = Build(builder);
        app.Lifetime.ApplicationStarted.Register(() => Volatile.Write(ref started, true));
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

    /// <summary>Maps the endpoints; <c>/metrics</c>, <c>/healthz</c> and the web page (<c>/ui</c>, when enabled) answer only on the metrics port.</summary>
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
                var monitoring = path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments(WebSetup.PathBase);
                if (monitoring != (tag as string == MetricsEndpoint))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
            }

            return next(context);
        });
        app.UseMiddleware<ShutdownDrain>(); // first: once stopping, a new call is refused before anything else looks at it
        app.UseMiddleware<KeyCheck>();
        app.MapGrpcService<RouterService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.MapGrpcService<ReflectionV1ServiceImpl>();
        var registry = app.Services.GetRequiredService<RouterMetrics>().Registry;
        app.MapMetrics("/metrics", registry);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealth });
        app.MapSemanticRouterWeb();
        return app;
    }

    /// <summary>/healthz's body: the status, why, and the details (the model the server runs), as one JSON object.</summary>
    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        var body = new Dictionary<string, object?> { ["status"] = report.Status.ToString() };
        foreach (var entry in report.Entries.Values)
        {
            body["description"] = entry.Description;
            foreach (var (key, value) in entry.Data)
            {
                body[key] = value;
            }
        }

        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>Milliseconds since the operating system started this process (runtime start-up included), for the start-up log.</summary>
    private static long SinceProcessStart()
    {
        using var process = Process.GetCurrentProcess();
        return (long)(DateTime.Now - process.StartTime).TotalMilliseconds;
    }

    private static WebApplicationBuilder CreateBuilder(string[] args, Action<IServiceCollection> addRouter, IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var builder = NewBuilder(args, overrides);
        var options = RouterConfiguration.ReadServerOptions(builder.Configuration);
        builder.Services.AddSemanticRouterServer(builder.Configuration);
        addRouter(builder.Services);
        ConfigureKestrel(builder.WebHost, options);
        return builder;
    }

    /// <summary>The host's own switch for appsettings.json's reload-on-change, given as its first argument.</summary>
    private const string NoConfigurationReload = "--hostBuilder:reloadConfigOnChange=false";

    private static WebApplicationBuilder NewBuilder(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Content root = the working directory, so `serve` reads ./appsettings.json. Not watched for changes:
        // settings are read once at start, and on Linux the watcher walks the whole working directory tree
        // (an inotify watch per folder) before the host is built: 0.6–1 s of start-up in a source checkout.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [NoConfigurationReload, .. args] });
        RouterConfiguration.AddSources(builder.Configuration, args, overrides);
        // One line per request from ASP.NET Core and grpc-dotnet is noise for a service answering in
        // well under a millisecond; our own catalogue (ServerLog) reports rejections and failures.
        // A more specific Logging:LogLevel category in configuration (e.g. "Grpc.AspNetCore.Server.ServerCallHandler") overrides these.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore.Server", LogLevel.Warning);
        // The web page's sign-in keys are made in memory at start (Web/InMemoryKeyRepository): not news.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Warning);
        // The same for each page the web page serves and each sign-in challenge it answers.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Mvc", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authentication", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Authorization", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Antiforgery", LogLevel.Warning);
        return builder;
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
                    listen.UseHttps(certificate, Secrets.CertificatePassword(options));
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
