namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Whether the server should get traffic: not until the router is open (<see cref="RouterOpener"/>), and
/// no more once shutdown begins, so that a load balancer drains it while in-flight calls finish.
/// grpc.health.v1 and <c>/healthz</c> report it.
/// </summary>
public sealed class RouterReadiness
{
    private static readonly IReadOnlyDictionary<string, object> NoDetails = new Dictionary<string, object>();
    private volatile string? _notReady = "the router is not open yet";
    private volatile IReadOnlyDictionary<string, object> _details = NoDetails;

    /// <summary>True while the server takes calls.</summary>
    public bool IsReady => _notReady is null;

    /// <summary>Why it is not ready (null when ready).</summary>
    public string? Reason => _notReady;

    /// <summary>What the health details say about the server (the model it runs: <c>model</c>, <c>model_sha256</c>); empty until it is open.</summary>
    public IReadOnlyDictionary<string, object> Details => _details;

    public void MarkReady() => _notReady = null;

    public void MarkNotReady(string reason) => _notReady = reason ?? throw new ArgumentNullException(nameof(reason));

    /// <summary>Sets <see cref="Details"/> (at start-up, once the router is open).</summary>
    public void SetDetails(IReadOnlyDictionary<string, object> details) => _details = details ?? throw new ArgumentNullException(nameof(details));
}
