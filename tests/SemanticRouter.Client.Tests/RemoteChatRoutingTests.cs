using Microsoft.Extensions.DependencyInjection;
using SemanticRouter.Client.Tests.Infrastructure;

namespace SemanticRouter.Client.Tests;

/// <summary>The scenarios against `semantic-router serve`, registered with <c>services.AddSemanticRouter(…)</c>.</summary>
public sealed class RemoteChatRoutingTests(ExampleIndex index) : ChatRoutingScenarios(index)
{
    protected override async Task<IAsyncDisposable?> RegisterRouterAsync(IServiceCollection services)
    {
        var serve = await ServeProcess.StartAsync(Index.IndexDirectory, Index.NewOutcomeDatabase());
        services.AddSemanticRouter(o => o.Address = serve.Address);
        return serve;
    }
}
