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

    [Fact]
    public async Task TopModelThrows_NextRankedAnswers_AndTheReportedOutcomesChangeTheRanking()
    {
        await using var app = await StartAsync();
        Assert.Equal("claude-sonnet-4", await BestModelAsync(app.Router, CodingPrompt));

        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Throw;
        var response = await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout();
        Assert.Equal("answer from gpt-4o", response.Text);
        var routing = response.GetRouting()!;
        Assert.Equal("gpt-4o", routing.Model);
        Assert.Equal(["claude-sonnet-4"], routing.FailedModels);
        Assert.Equal(["claude-sonnet-4"], (string[])response.AdditionalProperties![ChatRouting.FailedModelsKey]!);

        // Nobody kept the request id: the pipeline reported claude's failure and gpt-4o's success itself.
        await app.FlushOutcomesAsync();
        Assert.Equal("gpt-4o", await BestModelAsync(app.Router, CodingPrompt));

        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Answer;
        var later = await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout();
        Assert.Equal("gpt-4o", later.GetRouting()!.Model);
        Assert.Empty(later.GetRouting()!.FailedModels);
        Assert.Equal(1, app.Models["claude-sonnet-4"].Calls);
    }

    [Fact]
    public async Task TopModelTimesOut_NextRankedAnswers()
    {
        await using var app = await StartAsync(o => o.AttemptTimeout = TimeSpan.FromMilliseconds(300));
        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Hang;
        var response = await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout();
        Assert.Equal("gpt-4o", response.GetRouting()!.Model);
        Assert.Equal(["claude-sonnet-4"], response.GetRouting()!.FailedModels);
    }

    [Fact]
    public async Task EveryAttemptFails_TheLastErrorIsThrown_UpToMaxAttempts()
    {
        await using var app = await StartAsync(o => o.MaxAttempts = 2);
        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Throw;
        app.Models["gpt-4o"].Behaviour = FakeChatClient.Mode.Throw;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Chat.GetResponseAsync(CodingPrompt).WithTimeout());
        Assert.Equal("gpt-4o is down", error.Message);
        Assert.Equal(0, app.Models["qwen2.5-coder-32b-instruct"].Calls);
        Assert.Equal(0, app.Models[RouterHarness.DefaultModel].Calls);
    }

    [Fact]
    public async Task Streaming_TopModelStreams_RoutingOnTheFirstUpdate()
    {
        await using var app = await StartAsync();
        var updates = await StreamAsync(app.Chat, CodingPrompt);
        Assert.Equal("answer from claude-sonnet-4", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal("claude-sonnet-4", updates[0].GetRouting()!.Model);
        var combined = updates.ToChatResponse().GetRouting()!;
        Assert.Equal("claude-sonnet-4", combined.Model);
        Assert.False(string.IsNullOrEmpty(combined.RequestId));
    }

    [Fact]
    public async Task Streaming_FailureBeforeTheFirstUpdate_FallsBack_AfterIt_Throws()
    {
        await using var app = await StartAsync();
        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Throw;
        var updates = await StreamAsync(app.Chat, CodingPrompt);
        Assert.Equal("answer from gpt-4o", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(["claude-sonnet-4"], updates[0].GetRouting()!.FailedModels);

        // Once the caller has part of an answer, a failure is the caller's to see (and is reported).
        app.Models["claude-sonnet-4"].Behaviour = FakeChatClient.Mode.Answer;
        await app.FlushOutcomesAsync();
        Assert.Equal("gpt-4o", await BestModelAsync(app.Router, CodingPrompt));
        app.Models["gpt-4o"].Behaviour = FakeChatClient.Mode.ThrowAfterFirstUpdate;
        var received = new List<ChatResponseUpdate>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var update in app.Chat.GetStreamingResponseAsync(CodingPrompt))
            {
                received.Add(update);
            }
        }).WithTimeout();
        Assert.Equal("gpt-4o broke mid-stream", error.Message);
        Assert.Equal("answer ", Assert.Single(received).Text);
        Assert.Equal(1, app.Models["claude-sonnet-4"].Calls);
    }

    [Fact]
    public async Task Judge_GradesCompletedCalls_InTheBackground()
    {
        await using var app = await StartAsync(o => o.Judge = (context, _) => ValueTask.FromResult(context.Response.Text.Contains("claude", StringComparison.Ordinal) ? 0.0 : 1.0));
        var first = await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout();
        Assert.Equal("claude-sonnet-4", first.GetRouting()!.Model);
        await app.FlushOutcomesAsync();
        Assert.NotEqual("claude-sonnet-4", await BestModelAsync(app.Router, CodingPrompt));
    }

    [Fact]
    public async Task NoUserText_DefaultModelAnswers_WithoutARequestId()
    {
        await using var app = await StartAsync();
        var response = await app.Chat.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief")]).WithTimeout();
        Assert.Equal($"answer from {RouterHarness.DefaultModel}", response.Text);
        var routing = response.GetRouting()!;
        Assert.Equal(DefaultModelReason.NoQuery, routing.DefaultReason);
        Assert.Null(routing.RequestId);
    }

    [Fact]
    public async Task Models_LimitTheCandidates()
    {
        await using var app = await StartAsync(o => o.Models = ["gpt-4o", "gpt-4o-mini"]);
        Assert.Equal("gpt-4o", (await app.Chat.GetResponseAsync(CodingPrompt).WithTimeout()).GetRouting()!.Model);
    }

    protected static async Task<string?> BestModelAsync(ISemanticRouter router, string prompt) =>
        (await router.RankAsync(new RoutingRequest(prompt)).WithTimeout()).BestModel;

    protected static async Task<List<ChatResponseUpdate>> StreamAsync(IChatClient chat, string prompt)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync(prompt).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            updates.Add(update);
        }

        return updates;
    }
}
