using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticRouter.Client.Tests.Infrastructure;

namespace SemanticRouter.Client.Tests;

/// <summary>What only the remote router has: configuration, API key, and a server that is not there.</summary>
public sealed class RemoteRouterTests(ExampleIndex index)
{
    [Fact]
    public async Task RouterDown_DefaultModelAnswers_AndTheResponseSaysSo()
    {
        var closed = ClosedPort();
        await using var app = await RouterHarness.StartAsync(services =>
        {
            services.AddSemanticRouter(o =>
            {
                o.Address = closed;
                o.MaxAttempts = 2;
                o.InitialBackoff = TimeSpan.FromMilliseconds(10);
                o.MaxBackoff = TimeSpan.FromMilliseconds(10);
            });
            return Task.FromResult<IAsyncDisposable?>(null);
        });

        var response = await app.Chat.GetResponseAsync("write a python function that removes duplicates from a list").WithTimeout();
        Assert.Equal($"answer from {RouterHarness.DefaultModel}", response.Text);
        var routing = response.GetRouting()!;
        Assert.Equal(RouterHarness.DefaultModel, routing.Model);
        Assert.Equal(DefaultModelReason.RouterUnavailable, routing.DefaultReason);
        Assert.True(routing.UsedDefaultModel);
        Assert.Null(routing.RequestId);
        Assert.False(response.AdditionalProperties!.ContainsKey(ChatRouting.RequestIdKey));
        Assert.Equal("router_unavailable", response.AdditionalProperties[ChatRouting.DefaultReasonKey]);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in app.Chat.GetStreamingResponseAsync("hello"))
        {
            updates.Add(update);
        }

        Assert.Equal(DefaultModelReason.RouterUnavailable, updates[0].GetRouting()!.DefaultReason);
        await app.FlushOutcomesAsync();

        var error = await Assert.ThrowsAsync<RouterException>(() => app.Router.ListRoutesAsync().WithTimeout());
        Assert.Equal(RouterErrorCode.Unavailable, error.Code);
    }

    [Fact]
    public async Task Options_BoundFromConfiguration_ApiKeyAndDeadlineApply()
    {
        const string key = "client-tests-key-0123456789";
        await using var serve = await ServeProcess.StartAsync(index.IndexDirectory, index.NewOutcomeDatabase(), apiKey: key);
        IConfiguration Configuration(string? apiKey) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SemanticRouter:Address"] = serve.Address.ToString(),
            ["SemanticRouter:ApiKey"] = apiKey,
            ["SemanticRouter:Deadline"] = "00:00:20",
            ["SemanticRouter:MaxAttempts"] = "2",
        }).Build();

        await using (var services = new ServiceCollection().AddSemanticRouter(Configuration(key).GetSection("SemanticRouter")).BuildServiceProvider())
        {
            var options = services.GetRequiredService<IOptions<RouterClientOptions>>().Value;
            Assert.Equal(TimeSpan.FromSeconds(20), options.Deadline);
            Assert.Equal(2, options.MaxAttempts);
            var router = services.GetRequiredService<ISemanticRouter>();
            Assert.Same(router, services.GetRequiredService<ISemanticRouterAdmin>());
            var routes = await router.ListRoutesAsync().WithTimeout();
            Assert.Contains(routes.Routes, r => r.Name == "coding");
        }

        await using (var services = new ServiceCollection().AddSemanticRouter(Configuration("wrong-key-0123456789").GetSection("SemanticRouter")).BuildServiceProvider())
        {
            var error = await Assert.ThrowsAsync<RouterException>(() => services.GetRequiredService<ISemanticRouter>().ListRoutesAsync().WithTimeout());
            Assert.Equal(RouterErrorCode.Unauthenticated, error.Code);
        }

        await using (var services = new ServiceCollection().AddSemanticRouter(o => o.Address = new Uri("ftp://example.invalid")).BuildServiceProvider())
        {
            var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISemanticRouter>());
            Assert.Contains("http://", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RouterRefusesThePrompt_DefaultModelAnswers()
    {
        await using var app = await RouterHarness.StartAsync(async services =>
        {
            var serve = await ServeProcess.StartAsync(index.IndexDirectory, index.NewOutcomeDatabase());
            services.AddSemanticRouter(o => o.Address = serve.Address);
            return serve;
        });

        // Longer than the server's query limit (16 KiB): a bad request to the router, not to the model.
        var response = await app.Chat.GetResponseAsync(new string('x', 20_000)).WithTimeout();
        Assert.Equal(DefaultModelReason.RouterRefused, response.GetRouting()!.DefaultReason);
        Assert.Equal($"answer from {RouterHarness.DefaultModel}", response.Text);
    }

    /// <summary>A loopback address nothing listens on.</summary>
    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}
