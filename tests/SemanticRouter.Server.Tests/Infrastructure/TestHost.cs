using System.Collections.Concurrent;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Hosting;

namespace SemanticRouter.Server.Tests.Infrastructure;

/// <summary>
/// One started server over the fake router, in-process (TestServer) or on real Kestrel at
/// 127.0.0.1:0 (h2c). Disposing it fails the test if an error was logged that the test did not
/// announce with <see cref="ExpectErrors"/> (as grpc-dotnet's VerifyNoErrorsScope).
/// </summary>
internal sealed class TestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<GrpcChannel> _channels = [];

    private TestHost(WebApplication app, FakeRouter router, bool inProcess, CollectingLoggerProvider logs)
    {
        _app = app;
        Router = router;
        InProcess = inProcess;
        Logs = logs;
    }

    public FakeRouter Router { get; }

    /// <summary>What the health checks report.</summary>
    public RouterReadiness Readiness => _app.Services.GetRequiredService<RouterReadiness>();

    public bool InProcess { get; }

    public CollectingLoggerProvider Logs { get; }

    public WebApplication App => _app;

    public bool ErrorsExpected { get; private set; }

    public Uri GrpcAddress => InProcess ? _app.GetTestServer().BaseAddress : RouterHost.GetEndpoints(_app).Grpc!;

    public Uri MetricsAddress => InProcess ? _app.GetTestServer().BaseAddress : RouterHost.GetEndpoints(_app).Metrics!;

    public static async Task<TestHost> StartAsync(bool inProcess, Dictionary<string, string?>? settings = null, FakeRouter? router = null)
    {
        router ??= new FakeRouter();
        var overrides = new Dictionary<string, string?>
        {
            ["Host"] = "127.0.0.1",
            ["Port"] = "0",
            ["MetricsPort"] = "0",
            ["ShutdownTimeout"] = "00:00:05",
            // The fake router's tests call the admin RPCs without a key and reload from /tmp/…;
            // the key checks and the index root have their own tests.
            ["AllowAdminWithoutKey"] = "true",
            ["IndexRoot"] = Path.GetTempPath(),
        };
        foreach (var (key, value) in settings ?? [])
        {
            overrides[key] = value;
        }

        var builder = RouterHost.CreateBuilder([], router, overrides);
        var logs = new CollectingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(logs);
        if (inProcess)
        {
            builder.WebHost.UseTestServer();
        }

        var app = RouterHost.Build(builder);
        await app.StartAsync().WaitAsync(Timeouts.Default);
        return new TestHost(app, router, inProcess, logs);
    }

    private readonly List<Func<LogEntry, bool>> _expected = [];

    public void ExpectErrors() => ErrorsExpected = true;

    /// <summary>Errors matching <paramref name="match"/> are expected; any other error still fails the test.</summary>
    public void ExpectError(Func<LogEntry, bool> match) => _expected.Add(match);

    public GrpcChannel CreateChannel(Action<GrpcChannelOptions>? configure = null)
    {
        var options = new GrpcChannelOptions();
        if (InProcess)
        {
            options.HttpHandler = _app.GetTestServer().CreateHandler();
        }

        configure?.Invoke(options);
        var channel = GrpcChannel.ForAddress(GrpcAddress, options);
        _channels.Add(channel);
        return channel;
    }

    public Router.RouterClient CreateClient() => new(CreateChannel());

    /// <summary>An HttpClient for raw requests: HTTP/2 prior knowledge on the gRPC port.</summary>
    public HttpClient CreateHttpClient(Uri baseAddress)
    {
        var client = InProcess
            ? _app.GetTestServer().CreateClient()
            : new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        client.BaseAddress = baseAddress;
        client.Timeout = Timeouts.Default;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _app.StopAsync().WaitAsync(Timeouts.Default);
        await _app.DisposeAsync();
        if (!ErrorsExpected)
        {
            var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error && !_expected.Any(m => m(e))).ToList();
            Assert.True(errors.Count == 0, "Unexpected error logs:\n" + string.Join("\n", errors));
        }
    }
}

internal static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(20);

    public static Task<T> WithTimeout<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task WithTimeout(this Task task) => task.WaitAsync(Default);
}

internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message} {Exception}";
}

internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyCollection<LogEntry> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
