namespace SemanticRouter.Cli.Commands;

/// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool,
/// which would let the bar lag behind or finish after the build).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _gate = new();

    public void Report(T value)
    {
        lock (_gate)
        {
            report(value);
        }
    }
}
