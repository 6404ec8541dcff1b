using Grpc.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SemanticRouter.Client;
using SemanticRouter.Server.Tests.Infrastructure;

namespace SemanticRouter.Server.Tests.Client;

public class ClientTests
{
    /// <summary>An inner chat client that answers with its own name (callback-free: it only echoes).</summary>
    private sealed class NamedChatClient(string name) : IChatClient
    {
        public List<IReadOnlyList<ChatMessage>> Calls { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add(messages.ToList());
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer from {name}")));
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Calls.Add(messages.ToList());
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, "answer ");
            yield return new ChatResponseUpdate(ChatRole.Assistant, $"from {name}");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class NamedChatCompletion(string name) : IChatCompletionService
    {
        public string Name { get; } = name;

        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public Task<IReadOnlyList<Microsoft.SemanticKernel.ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<Microsoft.SemanticKernel.ChatMessageContent>>([new Microsoft.SemanticKernel.ChatMessageContent(AuthorRole.Assistant, $"answer from {Name}")]);

        public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }

    private static RouterClient Connect(TestHost host, string? apiKey = null) =>
        new(host.CreateChannel(), new RouterClientOptions { ApiKey = apiKey, Timeout = TimeSpan.FromSeconds(20) });

    [Fact]
    public async Task RouterClient_EveryCall_TypedResults()
    {
        const string key = "client-test-key-0123456789";
        await using var host = await TestHost.StartAsync(inProcess: true, new() { ["ApiKey"] = key });
        var router = Connect(host, key);
        var decision = await router.RankAsync("write a python function", new RankOptions { IncludeNeighbors = true, K = 2, History = [("user", "hi")], Metadata = new Dictionary<string, string> { ["app"] = "t" } }).WithTimeout();
        Assert.Equal("coder", decision.BestModel);
        Assert.Equal("code", decision.Route);
        Assert.Equal(2, decision.Response.Neighbors.Count);
        await router.RecordOutcomeAsync(decision.RequestId, "coder", success: true).WithTimeout();
        await router.RecordOutcomeAsync(decision.RequestId, "coder", score: 0.5).WithTimeout();
        Assert.Equal(2, (await router.InspectNeighborsAsync("fix this code", 2).WithTimeout()).Neighbors.Count);
        Assert.Equal(2, (await router.ListRoutesAsync().WithTimeout()).Count);
        Assert.Equal(1, (await router.AddUtterancesAsync("chat", ["good morning"]).WithTimeout()).Added);
        Assert.Equal("v3", (await router.ReloadIndexAsync().WithTimeout()).IndexVersion);
        Assert.Equal("coder", router.Rank("write a python function").BestModel);

        var anonymous = Connect(host);
        var ex = await Assert.ThrowsAsync<RpcException>(() => anonymous.RankAsync("hello").WithTimeout());
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task RoutingChatClient_ForwardsToRankedModel_AndReportsOutcome()
    {
        await using var host = await TestHost.StartAsync(inProcess: true);
        var router = Connect(host);
        var coder = new NamedChatClient("coder");
        var small = new NamedChatClient("small");
        using var chat = router.AsSemanticRouterChatClient(new Dictionary<string, IChatClient> { ["coder"] = coder, ["small"] = small });

        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.System, "be nice"), new ChatMessage(ChatRole.User, "hello there")]).WithTimeout();
        Assert.Equal("answer from small", response.Text);
        Assert.Equal("small", response.AdditionalProperties![SemanticRouterChatClient.ModelKey]);

        var code = await chat.GetResponseAsync("write a python function").WithTimeout();
        Assert.Equal("answer from coder", code.Text);
        await chat.RecordOutcomeAsync(code, success: true).WithTimeout();
        Assert.Contains(host.Router.Outcomes, o => o.Model == "coder" && o.RequestId == (string)code.AdditionalProperties![SemanticRouterChatClient.RequestIdKey]!);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync("fix this code"))
        {
            updates.Add(update);
        }

        Assert.Equal("answer from coder", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal("coder", updates[0].AdditionalProperties![SemanticRouterChatClient.ModelKey]);
    }

    [Fact]
    public async Task RoutingChatClient_ContextAndCandidates_SentToRouter()
    {
        await using var host = await TestHost.StartAsync(inProcess: true);
        RoutingRequest? seen = null;
        host.Router.OnRank = (q, _) =>
        {
            seen = q;
            return Task.FromResult(host.Router.Rank(q));
        };
        using var chat = Connect(host).AsSemanticRouterChatClient(new Dictionary<string, IChatClient> { ["large"] = new NamedChatClient("large"), ["small"] = new NamedChatClient("small") });
        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "how do I sort a list"), new ChatMessage(ChatRole.Assistant, "use sort()"), new ChatMessage(ChatRole.User, "and in python?")]).WithTimeout();
        Assert.NotNull(seen);
        Assert.Equal("and in python?", seen.Query);
        Assert.Equal(["large", "small"], seen.Candidates.Order(StringComparer.Ordinal));
        Assert.Equal(["how do I sort a list", "use sort()"], seen.History.Select(t => t.Text));
    }

    [Fact]
    public async Task RoutingChatClient_RouterDown_UsesDefaultModel()
    {
        await using var host = await TestHost.StartAsync(inProcess: true);
        host.ExpectErrors();
        host.Router.OnRank = (_, _) => throw new InvalidOperationException("engine down");
        using var chat = Connect(host).AsSemanticRouterChatClient(
            new Dictionary<string, IChatClient> { ["large"] = new NamedChatClient("large"), ["small"] = new NamedChatClient("small") },
            new SemanticRouterChatClientOptions { DefaultModel = "large" });
        var response = await chat.GetResponseAsync("hello").WithTimeout();
        Assert.Equal("answer from large", response.Text);
    }

    [Fact]
    public async Task ServiceSelector_PicksBestKeyedService()
    {
        await using var host = await TestHost.StartAsync(inProcess: true);
        var router = Connect(host);
        var builder = Kernel.CreateBuilder();
        builder.Services.AddKeyedSingleton<IChatCompletionService>("coder", new NamedChatCompletion("coder"));
        builder.Services.AddKeyedSingleton<IChatCompletionService>("small", new NamedChatCompletion("small"));
        builder.AddSemanticRouterServiceSelector(router, new SemanticRouterServiceSelectorOptions { ServiceIds = ["coder", "small", "absent"], FallbackServiceId = "small" });
        var kernel = builder.Build();
        var selector = kernel.Services.GetRequiredService<IAIServiceSelector>();
        var function = KernelFunctionFactory.CreateFromPrompt("{{$input}}");

        Assert.True(selector.TrySelectAIService<IChatCompletionService>(kernel, function, new KernelArguments { ["input"] = "write a python function" }, out var service, out var settings));
        Assert.Equal("coder", ((NamedChatCompletion)service).Name);
        Assert.Equal("coder", settings!.ServiceId);
        Assert.NotNull(SemanticRouterServiceSelector.LastRequestId);

        Assert.True(selector.TrySelectAIService<IChatCompletionService>(kernel, function, new KernelArguments { ["input"] = "hello there" }, out service, out _));
        Assert.Equal("small", ((NamedChatCompletion)service).Name);

        var result = await kernel.InvokePromptAsync("write a python function").WithTimeout();
        Assert.Equal("answer from coder", result.ToString());
    }
}
