using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using SemanticRouter.Client.Tests.Infrastructure;

namespace SemanticRouter.Client.Tests;

/// <summary>
/// An app as a user wires it: a router registered in the services, one fake keyed chat client per model
/// of the example catalogue, and <c>AddChatClient(default).UseSemanticRouting(…)</c>. Disposing it
/// disposes the services (which drains the outcome queue) and then whatever runs the router.
/// </summary>
public sealed class RouterHarness : IAsyncDisposable
{
    public const string DefaultModel = "gpt-4o-mini";

    public static readonly string[] ModelNames =
        ["gpt-4o", "gpt-4o-mini", "o3-mini", "claude-sonnet-4", "claude-haiku-3.5", "llama-3.1-8b-instruct", "llama-3.1-70b-instruct", "qwen2.5-coder-32b-instruct", "mistral-small-3.1"];

    private readonly IAsyncDisposable? _owner;

    private RouterHarness(ServiceProvider services, IReadOnlyDictionary<string, FakeChatClient> models, IAsyncDisposable? owner)
    {
        Services = services;
        Models = models;
        _owner = owner;
    }

    public ServiceProvider Services { get; }

    public IReadOnlyDictionary<string, FakeChatClient> Models { get; }

    public IChatClient Chat => Services.GetRequiredService<IChatClient>();

    public ISemanticRouter Router => Services.GetRequiredService<ISemanticRouter>();

    /// <summary>Waits until every outcome of the calls made so far has reached the router.</summary>
    public Task FlushOutcomesAsync() => Chat.GetService<SemanticRouterChatClient>()!.FlushOutcomesAsync().WithTimeout();

    /// <param name="registerRouter">Registers ISemanticRouter; returns what must outlive the services (a server), if anything.</param>
    /// <param name="configure">Routing options on top of DefaultModel = gpt-4o-mini.</param>
    /// <param name="onlyModels">Register clients for these models only (default: all).</param>
    public static async Task<RouterHarness> StartAsync(
        Func<IServiceCollection, Task<IAsyncDisposable?>> registerRouter,
        Action<SemanticRouterChatClientOptions>? configure = null,
        IReadOnlyList<string>? onlyModels = null)
    {
        var services = new ServiceCollection();
        var owner = await registerRouter(services);
        var models = (onlyModels ?? ModelNames).ToDictionary(m => m, m => new FakeChatClient(m));
        foreach (var (name, client) in models)
        {
            services.AddKeyedChatClient(name, client);
        }

        services.AddChatClient(sp => sp.GetRequiredKeyedService<IChatClient>(DefaultModel))
            .UseSemanticRouting(o =>
            {
                o.DefaultModel = DefaultModel;
                configure?.Invoke(o);
            });
        return new RouterHarness(services.BuildServiceProvider(), models, owner);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (_owner is not null)
        {
            await _owner.DisposeAsync();
        }
    }
}
