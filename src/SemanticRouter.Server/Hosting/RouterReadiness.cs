namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Whether the server should get traffic: not until the router is open (<see cref="RouterStartup"/>), and
/// no more once shutdown begins, so that a load balancer drains it while in-flight calls finish.
/// grpc.health.v1 and <c>/healthz</c> report it.
/// </summary>
public sealed class RouterReadiness
{
    private volatile string? _notReady = "the router is not open yet";

    /// <summary>True while the server takes calls.</summary>
    public bool IsReady => _notReady is null;

    /// <summary>Why it is not ready (null when ready).</summary>
    public string? Reason => _notReady;

    public void MarkReady() => _notReady = null;

    public void MarkNotReady(string reason) => _notReady = reason ?? throw new ArgumentNullException(nameof(reason));
}
