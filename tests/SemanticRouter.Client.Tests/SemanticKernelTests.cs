using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using SemanticRouter.Client.Tests.Infrastructure;
using SemanticRouter.SemanticKernel;

namespace SemanticRouter.Client.Tests;

/// <summary><c>kernelBuilder.AddSemanticRouter(…)</c> over `semantic-router serve`, with the services registered the ways SK apps do.</summary>
public sealed class SemanticKernelTests(ExampleIndex index)
{
    private const string CodingPrompt = "write a python function that removes duplicates from a list";
    private const string MathsPrompt = "solve for x in 3x + 7 = 22";

    [Fact]
    public async Task KeyedChatClients_TheRoutersFirstModelRuns()
    {
        await using var serve = await ServeProcess.StartAsync(index.IndexDirectory, index.NewOutcomeDatabase());
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSemanticRouter(o => o.Address = serve.Address);
        foreach (var model in RouterHarness.ModelNames)
        {
            builder.Services.AddKeyedChatClient(model, new FakeChatClient(model));
        }

        builder.AddSemanticRouter(o => o.FallbackServiceId = RouterHarness.DefaultModel);
        var kernel = builder.Build();

        var arguments = new KernelArguments { ["input"] = CodingPrompt };
        var result = await kernel.InvokePromptAsync("{{$input}}", arguments).WithTimeout();
        Assert.Equal("answer from claude-sonnet-4", result.ToString());
        var routing = arguments.GetRouting()!;
        Assert.Equal("claude-sonnet-4", routing.ServiceId);
        Assert.False(string.IsNullOrEmpty(routing.RequestId));

        // The caller reports the outcome with what the invocation left in its arguments.
        var router = kernel.Services.GetRequiredService<ISemanticRouter>();
        await router.RecordOutcomeAsync(routing.Outcome(success: true)!).WithTimeout();

        var maths = new KernelArguments { ["input"] = MathsPrompt };
        Assert.Equal("answer from o3-mini", (await kernel.InvokePromptAsync("{{$input}}", maths).WithTimeout()).ToString());
        Assert.NotEqual(routing.RequestId, maths.GetRouting()!.RequestId);
    }

    [Fact]
    public async Task KeyedChatCompletionServices_TheRoutersFirstModelRuns_ServiceIdsLimitTheChoice()
    {
        await using var serve = await ServeProcess.StartAsync(index.IndexDirectory, index.NewOutcomeDatabase());
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSemanticRouter(o => o.Address = serve.Address);
        foreach (var model in RouterHarness.ModelNames)
        {
            builder.Services.AddKeyedSingleton<IChatCompletionService>(model, new NamedChatCompletion(model));
        }

        builder.AddSemanticRouter(o => o.ServiceIds = ["gpt-4o", "o3-mini", "absent"]);
        var kernel = builder.Build();
        var selector = kernel.Services.GetRequiredService<IAIServiceSelector>();
        var function = KernelFunctionFactory.CreateFromPrompt("{{$input}}");

        var arguments = new KernelArguments { ["input"] = CodingPrompt };
        Assert.True(selector.TrySelectAIService<IChatCompletionService>(kernel, function, arguments, out var service, out var settings));
        Assert.Equal("gpt-4o", ((NamedChatCompletion)service).Name);
        Assert.Equal("gpt-4o", settings!.ServiceId);

        var result = await kernel.InvokePromptAsync("{{$input}}", new KernelArguments { ["input"] = MathsPrompt }).WithTimeout();
        Assert.Equal("answer from o3-mini", result.ToString());
    }

    [Fact]
    public async Task RouterDown_TheFallbackServiceRuns()
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSemanticRouter(o =>
        {
            o.Address = new Uri("http://127.0.0.1:1");
            o.MaxAttempts = 1;
        });
        foreach (var model in RouterHarness.ModelNames)
        {
            builder.Services.AddKeyedChatClient(model, new FakeChatClient(model));
        }

        builder.AddSemanticRouter(o => o.FallbackServiceId = RouterHarness.DefaultModel);
        var kernel = builder.Build();
        var arguments = new KernelArguments { ["input"] = CodingPrompt };
        Assert.Equal($"answer from {RouterHarness.DefaultModel}", (await kernel.InvokePromptAsync("{{$input}}", arguments).WithTimeout()).ToString());
        var routing = arguments.GetRouting()!;
        Assert.Null(routing.RequestId);
        Assert.Null(routing.Outcome(success: true));
    }

    private sealed class NamedChatCompletion(string name) : IChatCompletionService
    {
        public string Name { get; } = name;

        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ChatMessageContent>>([new ChatMessageContent(AuthorRole.Assistant, $"answer from {Name}")]);

        public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
