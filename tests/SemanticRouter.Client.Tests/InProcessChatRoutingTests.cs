using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SemanticRouter.Client.Tests.Infrastructure;
using SemanticRouter.Hosting;

namespace SemanticRouter.Client.Tests;

/// <summary>The scenarios against the engine in this process, registered with <c>services.AddSemanticRouterInProcess(…)</c>.</summary>
public sealed class InProcessChatRoutingTests(ExampleIndex index) : ChatRoutingScenarios(index)
{
    protected override Task<IAsyncDisposable?> RegisterRouterAsync(IServiceCollection services)
    {
        services.AddSemanticRouterInProcess(o =>
        {
            o.IndexDirectory = Index.IndexDirectory;
            o.OutcomeDatabase = Index.NewOutcomeDatabase();
            o.IntraOpThreads = 1;
        });
        return Task.FromResult<IAsyncDisposable?>(null);
    }

    [Fact]
    public async Task Options_BoundFromConfiguration_BadOnesNamed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["SemanticRouter:IndexDirectory"] = Index.IndexDirectory,
            ["SemanticRouter:ModelDirectory"] = ExampleIndex.ModelDirectory,
            ["SemanticRouter:OutcomeDatabase"] = Index.NewOutcomeDatabase(),
            ["SemanticRouter:EmbeddingCacheSize"] = "0",
        }).Build();
        await using (var services = new ServiceCollection().AddSemanticRouterInProcess(configuration.GetSection("SemanticRouter")).BuildServiceProvider())
        {
            var router = services.GetRequiredService<ISemanticRouter>();
            Assert.Same(router, services.GetRequiredService<ISemanticRouterAdmin>());
            Assert.Equal(0, services.GetRequiredService<IOptions<InProcessRouterOptions>>().Value.EmbeddingCacheSize);
            var decision = await router.RankAsync(new RoutingRequest(CodingPrompt)).WithTimeout();
            Assert.Equal("claude-sonnet-4", decision.BestModel);
            Assert.NotNull(decision.Timings);
        }

        await using (var services = new ServiceCollection().AddSemanticRouterInProcess(o => o.IndexDirectory = " ").BuildServiceProvider())
        {
            var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<ISemanticRouter>());
            Assert.Contains("IndexDirectory", error.Message, StringComparison.Ordinal);
        }

        await using (var services = new ServiceCollection().AddSemanticRouterInProcess(o => o.IndexDirectory = Path.Combine(Index.IndexDirectory, "missing")).BuildServiceProvider())
        {
            var error = Assert.ThrowsAny<RouterException>(() => services.GetRequiredService<ISemanticRouter>());
            Assert.Equal(RouterErrorCode.FailedPrecondition, error.Code);
        }
    }
}
