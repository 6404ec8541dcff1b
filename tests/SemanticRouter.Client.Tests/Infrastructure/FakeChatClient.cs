using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace SemanticRouter.Client.Tests.Infrastructure;

/// <summary>
/// A model client with no network: it answers "answer from NAME" (as one response, or as two stream
/// updates), or fails the way <see cref="Behaviour"/> says. Counts its calls.
/// </summary>
public sealed class FakeChatClient(string name) : IChatClient
{
    private int _calls;

    public enum Mode
    {
        Answer,
        Throw,
        Hang,
        ThrowAfterFirstUpdate,
    }

    public string Name { get; } = name;

    public Mode Behaviour { get; set; } = Mode.Answer;

    public int Calls => Volatile.Read(ref _calls);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await FailAsync(cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer from {Name}"));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        await FailAsync(cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, "answer ");
        if (Behaviour == Mode.ThrowAfterFirstUpdate)
        {
            throw new InvalidOperationException($"{Name} broke mid-stream");
        }

        await Task.Yield();
        yield return new ChatResponseUpdate(ChatRole.Assistant, $"from {Name}");
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fake", defaultModelId: Name) : null;

    public void Dispose()
    {
    }

    private async Task FailAsync(CancellationToken cancellationToken)
    {
        switch (Behaviour)
        {
            case Mode.Throw:
                throw new InvalidOperationException($"{Name} is down");
            case Mode.Hang:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                break;
            default:
                await Task.Yield();
                break;
        }
    }
}
