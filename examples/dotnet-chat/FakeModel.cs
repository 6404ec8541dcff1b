using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace DotnetChat;

/// <summary>
/// Stands in for a real model client (OpenAI, Anthropic, Ollama, … all implement IChatClient): answers
/// locally with its name, or throws while <see cref="Down"/> is set. Swap in real clients and nothing
/// else changes.
/// </summary>
internal sealed class FakeModel(string name) : IChatClient
{
    public bool Down { get; set; }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        return Down
            ? throw new HttpRequestException($"{name}: 503 Service Unavailable")
            : new ChatResponse(new ChatMessage(ChatRole.Assistant, $"({name}'s answer)")) { ModelId = name };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: name) : null;

    public void Dispose()
    {
    }
}
