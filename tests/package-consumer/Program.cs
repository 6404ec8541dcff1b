using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using SemanticRouter;
using SemanticRouter.Artifacts;
using SemanticRouter.Client;
using SemanticRouter.Embeddings;
using SemanticRouter.SemanticKernel;

// What a user installs is what is checked: the packed SemanticRouter.* packages and the semantic-router
// tool, against the example routes and a local sentence model, with fake model clients (no network).
//   dotnet run --project tests/package-consumer -- --tool DIR/semantic-router --routes routes --model MODEL_DIR
// run.sh passes these after packing and installing. Exits 1 on the first failed check.
var tool = Argument("--tool");
var routes = Argument("--routes");
var model = Argument("--model");
const string Coding = "write a python function that removes duplicates from a list";
const string Maths = "solve for x in 3x + 7 = 22";
string[] modelNames = ["gpt-4o", "gpt-4o-mini", "o3-mini", "claude-sonnet-4", "claude-haiku-3.5", "llama-3.1-8b-instruct", "llama-3.1-70b-instruct", "qwen2.5-coder-32b-instruct", "mistral-small-3.1"];
int checks = 0;

var work = Directory.CreateTempSubdirectory("semantic-router-consumer-");
try
{
    var index = Path.Combine(work.FullName, "index");
    using (var encoder = SentenceEncoder.Open(model))
    {
        IndexBuilder.Build(routes, encoder, index);
    }

    Check(File.Exists(Path.Combine(index, "manifest.json")), "SemanticRouter.Core builds an index (IndexBuilder.Build)");

    // In-process: SemanticRouter.Core + SemanticRouter.Client.
    await RouteChatAsync("in-process", services => services.AddSemanticRouterInProcess(o =>
    {
        o.IndexDirectory = index;
        o.OutcomeDatabase = Path.Combine(work.FullName, "in-process.db");
    }));

    // Remote: the semantic-router tool's `serve`, and SemanticRouter.Client over gRPC.
    using var serve = Process.Start(new ProcessStartInfo(tool)
    {
        ArgumentList = { "serve", "--index", index, "--db", Path.Combine(work.FullName, "serve.db"), "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0" },
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }) ?? throw new InvalidOperationException("the tool did not start");
    try
    {
        var address = await ListeningAddressAsync(serve);
        Check(true, $"the semantic-router tool serves ({address})");
        await RouteChatAsync("remote", services => services.AddSemanticRouter(o => o.Address = address));
        await SemanticKernelAsync(address);
    }
    finally
    {
        serve.Kill(entireProcessTree: true);
        await serve.WaitForExitAsync();
    }

    await using (var down = Chat(services => services.AddSemanticRouter(o =>
    {
        o.Address = new Uri("http://127.0.0.1:1");
        o.MaxAttempts = 1;
    })))
    {
        var response = await down.GetRequiredService<IChatClient>().GetResponseAsync(Coding);
        var routing = response.GetRouting();
        Check(routing is { Model: "gpt-4o-mini", RequestId: null, DefaultReason: DefaultModelReason.RouterUnavailable },
            "router down: the default model answers and the response says why");
    }

    Console.WriteLine($"package-consumer: all {checks} checks passed");
    return 0;
}
catch (CheckFailedException e)
{
    Console.Error.WriteLine($"package-consumer: FAILED: {e.Message}");
    return 1;
}
finally
{
    work.Delete(recursive: true);
}

async Task RouteChatAsync(string name, Action<IServiceCollection> addRouter)
{
    await using var services = Chat(addRouter);
    var models = modelNames.ToDictionary(m => m, m => (FakeModel)services.GetRequiredKeyedService<IChatClient>(m));
    var chat = services.GetRequiredService<IChatClient>();

    var coding = await chat.GetResponseAsync(Coding);
    Check(coding.Text == "answer from claude-sonnet-4" && coding.GetRouting()?.RequestId is { Length: > 0 }, $"{name}: the top ranked model answers, with the request id");
    Check((await chat.GetResponseAsync(Maths)).GetRouting()?.Model == "o3-mini", $"{name}: maths goes to o3-mini");

    models["claude-sonnet-4"].Fails = true;
    var fallback = await chat.GetResponseAsync(Coding);
    Check(fallback.Text == "answer from gpt-4o" && fallback.GetRouting()?.FailedModels.SequenceEqual(["claude-sonnet-4"]) == true, $"{name}: a failing model falls through to the next ranked one");

    await chat.GetService<SemanticRouterChatClient>()!.FlushOutcomesAsync();
    var router = services.GetRequiredService<ISemanticRouter>();
    Check((await router.RankAsync(new RoutingRequest(Coding))).BestModel == "gpt-4o", $"{name}: the reported outcomes change the ranking");

    var streamed = new List<ChatResponseUpdate>();
    await foreach (var update in chat.GetStreamingResponseAsync(Maths))
    {
        streamed.Add(update);
    }

    Check(streamed.ToChatResponse().Text == "answer from o3-mini" && streamed[0].GetRouting()?.Model == "o3-mini", $"{name}: streaming is routed");
}

async Task SemanticKernelAsync(Uri address)
{
    var builder = Kernel.CreateBuilder();
    builder.Services.AddSemanticRouter(o => o.Address = address);
    foreach (var name in modelNames)
    {
        builder.Services.AddKeyedChatClient(name, new FakeModel(name));
    }

    builder.AddSemanticRouter(o => o.FallbackServiceId = "gpt-4o-mini");
    var kernel = builder.Build();
    var arguments = new KernelArguments { ["input"] = Maths };
    var result = await kernel.InvokePromptAsync("{{$input}}", arguments);
    Check(result.ToString() == "answer from o3-mini" && arguments.GetRouting()?.RequestId is not null, "Semantic Kernel: the router's first keyed IChatClient runs the prompt");
}

ServiceProvider Chat(Action<IServiceCollection> addRouter)
{
    var services = new ServiceCollection();
    addRouter(services);
    foreach (var name in modelNames)
    {
        services.AddKeyedChatClient(name, new FakeModel(name));
    }

    services.AddChatClient(sp => sp.GetRequiredKeyedService<IChatClient>("gpt-4o-mini"))
        .UseSemanticRouting(o => o.DefaultModel = "gpt-4o-mini");
    return services.BuildServiceProvider();
}

void Check(bool ok, string what)
{
    if (!ok)
    {
        throw new CheckFailedException(what);
    }

    checks++;
    Console.WriteLine($"ok {checks} - {what}");
}

string Argument(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"usage: PackageConsumer --tool PATH --routes DIR --model DIR ({name} missing)");
}

static async Task<Uri> ListeningAddressAsync(Process serve)
{
    var found = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
    var seen = new List<string>();
    void Read(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (seen)
        {
            seen.Add(e.Data);
        }

        if (Regex.Match(e.Data, @"gRPC listening on (http://[^\s,]+)") is { Success: true } m)
        {
            found.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    serve.OutputDataReceived += Read;
    serve.ErrorDataReceived += Read;
    serve.BeginOutputReadLine();
    serve.BeginErrorReadLine();
    _ = serve.WaitForExitAsync().ContinueWith(_ => found.TrySetException(new CheckFailedException("serve exited: " + string.Join('\n', seen))), TaskScheduler.Default);
    return await found.Task.WaitAsync(TimeSpan.FromSeconds(60));
}

/// <summary>A model client with no network: answers with its name, or throws when told to.</summary>
internal sealed class FakeModel(string name) : IChatClient
{
    public bool Fails { get; set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Fails ? throw new InvalidOperationException($"{name} is down") : Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer from {name}")));

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, "answer ");
        yield return new ChatResponseUpdate(ChatRole.Assistant, $"from {name}");
    }

    // Semantic Kernel reads the client's metadata, as every real client has.
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: name) : null;

    public void Dispose()
    {
    }
}

internal sealed class CheckFailedException(string message) : Exception(message);
