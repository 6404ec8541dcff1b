using Microsoft.Extensions.Diagnostics.HealthChecks;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Healthy while <see cref="RouterReadiness"/> says so (grpc.health.v1 SERVING, /healthz 200). Its details name the
/// model the server runs (<see cref="RouterReadiness.Details"/>) and the index version serving (<c>index_version</c>,
/// so a roll-out can be followed replica by replica), which <c>/healthz</c> writes as JSON.
/// </summary>
internal sealed class ReadinessHealthCheck(RouterReadiness readiness, RouterMetrics metrics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var details = new Dictionary<string, object>(readiness.Details);
        if (metrics.IndexVersion is { } version)
        {
            details["index_version"] = version;
        }

        return Task.FromResult(readiness.Reason is { } reason
            ? HealthCheckResult.Unhealthy(reason, data: details)
            : HealthCheckResult.Healthy("router open", data: details));
    }
}
