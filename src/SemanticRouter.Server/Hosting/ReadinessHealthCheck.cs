using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SemanticRouter.Server.Hosting;

/// <summary>Healthy while <see cref="RouterReadiness"/> says so (grpc.health.v1 SERVING, /healthz 200).</summary>
internal sealed class ReadinessHealthCheck(RouterReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.Reason is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy("router open"));
}
