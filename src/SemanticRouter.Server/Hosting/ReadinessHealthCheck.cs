using Microsoft.Extensions.Diagnostics.HealthChecks;
using SemanticRouter.Server.Metrics;

namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Healthy while <see cref="RouterReadiness"/> says so (grpc.health.v1 SERVING, /healthz 200); its details
/// name the index version serving (/healthz prints them: "Healthy: serving index &lt;version&gt;"), so a
/// roll-out can be followed replica by replica.
/// </summary>
internal sealed class ReadinessHealthCheck(RouterReadiness readiness, RouterMetrics metrics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (readiness.Reason is { } reason)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(reason));
        }

        var version = metrics.IndexVersion ?? "none";
        return Task.FromResult(HealthCheckResult.Healthy($"serving index {version}", new Dictionary<string, object> { ["index_version"] = version }));
    }
}
