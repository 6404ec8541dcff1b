using SemanticRouter.Server.Engine;

namespace SemanticRouter.Server.Tests.Engine;

public class IndexHolderTests
{
    private sealed class Resource(int id) : IDisposable
    {
        private int _disposed;

        public int Id { get; } = id;

        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        public int DisposeCount => Volatile.Read(ref _disposed);

        public void Dispose() => Interlocked.Increment(ref _disposed);
    }

    [Fact]
    public void Swap_NoLeases_DisposesOldAtOnce()
    {
        var first = new Resource(1);
        using var holder = new IndexHolder<Resource>(first);
        var previous = holder.Swap(new Resource(2));
        Assert.Same(first, previous);
        Assert.True(first.IsDisposed);
        Assert.Equal(2, holder.Current.Id);
        Assert.Equal(1, holder.Generation);
    }

    [Fact]
    public void Swap_WithLease_DisposesOldWhenLastLeaseEnds()
    {
        var first = new Resource(1);
        using var holder = new IndexHolder<Resource>(first);
        var lease1 = holder.Acquire();
        var lease2 = holder.Acquire();
        holder.Swap(new Resource(2));
        Assert.False(first.IsDisposed);
        Assert.Same(first, lease1.Value);
        lease1.Dispose();
        lease1.Dispose(); // idempotent
        Assert.False(first.IsDisposed);
        lease2.Dispose();
        Assert.Equal(1, first.DisposeCount);
        using var lease3 = holder.Acquire();
        Assert.Equal(2, lease3.Value.Id);
    }

    [Fact]
    public void Dispose_RetiresCurrent_AfterLeases()
    {
        var only = new Resource(1);
        var holder = new IndexHolder<Resource>(only);
        var lease = holder.Acquire();
        holder.Dispose();
        Assert.False(only.IsDisposed);
        lease.Dispose();
        Assert.True(only.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => holder.Acquire());
    }

    [Fact]
    public async Task Concurrent_ReadersNeverSeeDisposed_EveryOldInstanceDisposedOnce()
    {
        var all = new System.Collections.Concurrent.ConcurrentBag<Resource>();
        var initial = new Resource(0);
        all.Add(initial);
        using var holder = new IndexHolder<Resource>(initial);
        // Dedicated threads and fixed iteration counts: the thread pool may be busy with other tests.
        const int ReadsPerReader = 20_000;
        var readersLeft = 4;
        var violations = 0;
        long reads = 0;
        var swaps = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var n = 0; n < ReadsPerReader; n++)
            {
                using var lease = holder.Acquire();
                if (lease.Value.IsDisposed)
                {
                    Interlocked.Increment(ref violations);
                }

                Thread.SpinWait(20);
                if (lease.Value.IsDisposed)
                {
                    Interlocked.Increment(ref violations);
                }

                Interlocked.Increment(ref reads);
            }

            Interlocked.Decrement(ref readersLeft);
        })).ToList();
        var writer = new Thread(() =>
        {
            var id = 1;
            while (Volatile.Read(ref readersLeft) > 0 || swaps < 100)
            {
                var next = new Resource(id++);
                all.Add(next);
                holder.Swap(next);
                swaps++;
            }
        });
        readers.ForEach(t => t.Start());
        writer.Start();
        await Task.Run(() =>
        {
            readers.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
            Assert.True(writer.Join(TimeSpan.FromSeconds(60)));
        }).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(0, violations);
        Assert.Equal(4L * ReadsPerReader, reads);
        Assert.True(swaps >= 100, $"only {swaps} swaps");
        var current = holder.Current;
        Assert.All(all.Where(r => r != current), r => Assert.Equal(1, r.DisposeCount));
        Assert.False(current.IsDisposed);
    }
}
