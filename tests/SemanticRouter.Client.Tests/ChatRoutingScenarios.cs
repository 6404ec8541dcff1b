using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using SemanticRouter.Client.Tests.Infrastructure;

namespace SemanticRouter.Client.Tests;

/// <summary>
/// What a user of <c>UseSemanticRouting</c> expects, whatever router is behind it: run once against
/// `semantic-router serve` (<see cref="RemoteChatRoutingTests"/>) and once in-process. The example
/// routes send coding prompts to claude-sonnet-4, then gpt-4o; maths to o3-mini.
/// </summary>
public abstract class ChatRoutingScenarios(ExampleIndex index)
{
    protected const string CodingPrompt = "write a python function that removes duplicates from a list";
    protected const string MathsPrompt = "solve for x in 3x + 7 = 22";

    protected ExampleIndex Index { get; } = index;

    /// <summary>Registers this variant's ISemanticRouter over <see cref="Index"/> with a fresh outcome database.</summary>
    protected abstract Task<IAsyncDisposable?> RegisterRouterAsync(IServiceCollection services);

    protected Task<RouterHarness> StartAsync(Action<SemanticRouterChatClientOptions>? configure = null) =>
        RouterHarness.StartAsync(RegisterRouterAsync, configure);

    [Fact]
    public async Task TopRankedModelAnswers_ResponseSaysWhichAndCarriesTheRequestId()
    {
        await using var app = await StartAsync();

        var coding = await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout();
        Assert.Equal("answer from claude-sonnet-4", coding.Text);
        var routing = coding.GetRouting();
        Assert.NotNull(routing);
        Assert.Equal("claude-sonnet-4", routing.Model);
        Assert.False(string.IsNullOrEmpty(routing.RequestId));
        Assert.Empty(routing.FailedModels);
        Assert.False(routing.UsedDefaultModel);
        Assert.Equal("claude-sonnet-4", coding.AdditionalProperties![ChatRouting.ModelKey]);
        Assert.Equal(routing.RequestId, coding.AdditionalProperties[ChatRouting.RequestIdKey]);

        var maths = await app.Chat.GetResponseAsync(MathsPrompt).WithTimeout();
        Assert.Equal("o3-mini", maths.GetRouting()!.Model);
        Assert.NotEqual(routing.RequestId, maths.GetRouting()!.RequestId);
        Assert.Equal(1, app.Models["claude-sonnet-4"].Calls);
        Assert.Equal(1, app.Models["o3-mini"].Calls);
    }
}
