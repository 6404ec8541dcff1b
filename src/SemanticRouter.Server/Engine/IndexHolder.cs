namespace SemanticRouter.Server.Engine;

/// <summary>
/// Holds the live instance of something that is replaced as a whole (an index, a route catalogue)
/// and lets readers keep using the instance they started with while a new one is swapped in.
/// </summary>
/// <remarks>
/// <para>Readers call <see cref="Acquire"/> and dispose the lease when done; <see cref="Swap"/>
/// publishes a new instance atomically. Each instance carries a reference count: one reference for
/// being current plus one per lease. The instance that was replaced is disposed (if it is
/// <see cref="IDisposable"/>) when its last lease ends, never while a reader holds it.</para>
/// <para>Thread-safety: all members may be called concurrently. Acquire is lock-free: it reads the
/// current slot and increments its count unless the count already reached zero (the slot was
/// retired in between), in which case it retries on the newer slot.</para>
/// </remarks>
public sealed class IndexHolder<T> : IDisposable
    where T : class
{
    private Slot _current;
    private int _disposed;

    public IndexHolder(T initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = new Slot(initial);
    }

    /// <summary>The current instance, without a lease: only for reads that do not outlive a swap's grace (e.g. a version string).</summary>
    public T Current => Volatile.Read(ref _current).Value;

    /// <summary>Number of swaps so far.</summary>
    public long Generation => Volatile.Read(ref _current).Generation;

    /// <summary>Takes a lease on the current instance; dispose it when done (use <c>using</c>).</summary>
    public Lease Acquire()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (true)
        {
            var slot = Volatile.Read(ref _current);
            if (slot.TryAddRef())
            {
                return new Lease(slot);
            }

            // The slot was retired and released between the read and the increment: a newer one is current.
        }
    }

    /// <summary>Publishes <paramref name="next"/>; returns the previous instance, which is disposed once its last lease ends.</summary>
    public T Swap(T next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Slot? previous = null;
        while (true)
        {
            var current = Volatile.Read(ref _current);
            var replacement = new Slot(next, current.Generation + 1);
            if (Interlocked.CompareExchange(ref _current, replacement, current) == current)
            {
                previous = current;
                break;
            }
        }

        previous.Release();
        return previous.Value;
    }

    /// <summary>Retires the current instance (disposed once its last lease ends).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Volatile.Read(ref _current).Release();
        }
    }

    /// <summary>A reader's hold on one instance. Disposing it more than once has no further effect.</summary>
    /// <remarks>A class rather than a struct so that a copy can never release the same reference twice.</remarks>
    public sealed class Lease : IDisposable
    {
        private Slot? _slot;

        internal Lease(Slot slot) => _slot = slot;

        /// <summary>The instance this lease holds.</summary>
        public T Value => (_slot ?? throw new ObjectDisposedException(nameof(Lease))).Value;

        public void Dispose() => Interlocked.Exchange(ref _slot, null)?.Release();
    }

    internal sealed class Slot(T value, long generation = 0)
    {
        private int _references = 1; // the holder's own reference while current

        public T Value { get; } = value;

        public long Generation { get; } = generation;

        public bool TryAddRef()
        {
            var count = Volatile.Read(ref _references);
            while (count > 0)
            {
                var seen = Interlocked.CompareExchange(ref _references, count + 1, count);
                if (seen == count)
                {
                    return true;
                }

                count = seen;
            }

            return false;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                (Value as IDisposable)?.Dispose();
            }
        }
    }
}
