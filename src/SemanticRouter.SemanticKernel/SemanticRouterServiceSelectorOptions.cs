namespace SemanticRouter.SemanticKernel;

/// <summary>Settings of <see cref="SemanticRouterServiceSelector"/> (<c>kernelBuilder.AddSemanticRouter(o => …)</c>).</summary>
public sealed class SemanticRouterServiceSelectorOptions
{
    /// <summary>
    /// The kernel argument that holds the user's prompt (default "input"). Without it, the other string
    /// arguments are ranked, and without those the function's description.
    /// </summary>
    public string QueryArgument { get; set; } = "input";

    /// <summary>
    /// The service ids (= model names in the router) to choose among. Empty (the default): whatever the
    /// router ranks, taking the best model the kernel has a keyed service for.
    /// </summary>
    public IReadOnlyList<string> ServiceIds { get; set; } = [];

    /// <summary>The service id used when the router cannot be asked or ranks none of the kernel's services (null = select nothing).</summary>
    public string? FallbackServiceId { get; set; }

    /// <summary>Neighbours that vote; null = the router's default.</summary>
    public int? K { get; set; }

    /// <summary>Quality–cost trade-off λ ≥ 0; null = the router's default.</summary>
    public double? CostWeight { get; set; }
}
