using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Healthy while <see cref="RouterReadiness"/> says so (grpc.health.v1 SERVING, /healthz 200). Its details name the
/// model the server runs (<see cref="RouterReadiness.Details"/>), which <c>/healthz</c> writes as JSON.
/// </summary>
internal sealed class ReadinessHealthCheck(RouterReadiness readiness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var details = readiness.Details;
        return Task.FromResult(readiness.Reason is { } reason
            ? HealthCheckResult.Unhealthy(reason, data: details)
            : HealthCheckResult.Healthy("router open", data: details));
    }
}
