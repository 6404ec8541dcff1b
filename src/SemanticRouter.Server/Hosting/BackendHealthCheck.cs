using Microsoft.Extensions.Diagnostics.HealthChecks;
using SemanticRouter.Server.Engine;

namespace SemanticRouter.Server.Hosting;

/// <summary>Healthy once the engine has an index loaded (grpc.health.v1 SERVING, /healthz 200).</summary>
internal sealed class BackendHealthCheck(IRouterBackend backend) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(backend.IsReady ? HealthCheckResult.Healthy("index loaded") : HealthCheckResult.Unhealthy("no index loaded yet"));
}
