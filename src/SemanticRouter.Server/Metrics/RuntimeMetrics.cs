using Microsoft.Extensions.Hosting;
using Prometheus;

namespace SemanticRouter.Server.Metrics;

/// <summary>
/// The process's and the .NET runtime's metrics in the server's registry, beside its own: prometheus-net's
/// process collectors (<c>process_cpu_seconds_total</c>, <c>process_working_set_bytes</c>, <c>process_open_handles</c>,
/// <c>dotnet_collection_count_total</c>, …) and the runtime's and Kestrel's built-in meters (<c>System.Runtime</c>:
/// GC, thread pool, JIT, exceptions, lock contention; <c>Microsoft.AspNetCore.Server.Kestrel</c>: connections),
/// exported through prometheus-net's meter adapter while the host runs. docs/operations.md says which to watch.
/// </summary>
internal sealed class RuntimeMetrics(RouterMetrics metrics) : IHostedService, IDisposable
{
    /// <summary>The built-in meters exported; others (ASP.NET Core's per-request histograms among them) would only repeat <c>semantic_router_grpc_*</c>.</summary>
    private static readonly string[] Meters = ["System.Runtime", "Microsoft.AspNetCore.Server.Kestrel"];

    private readonly Lock _gate = new();
    private IDisposable? _meters;
    private bool _processRegistered;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_processRegistered)
            {
                DotNetStats.Register(metrics.Registry);
                _processRegistered = true;
            }

            _meters ??= MeterAdapter.StartListening(new MeterAdapterOptions
            {
                // Both: the registry the adapter's own metric lives in, the factory the exported ones are made by.
                Registry = metrics.Registry,
                MetricFactory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry),
                InstrumentFilterPredicate = instrument => Meters.Contains(instrument.Meter.Name, StringComparer.Ordinal),
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _meters?.Dispose();
            _meters = null;
        }
    }
}
