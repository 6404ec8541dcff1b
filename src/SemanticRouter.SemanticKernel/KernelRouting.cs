using Microsoft.SemanticKernel;

namespace SemanticRouter.SemanticKernel;

/// <summary>
/// The selection <see cref="SemanticRouterServiceSelector"/> made for one invocation, kept in that
/// invocation's <see cref="KernelArguments"/> (no state of its own): read it after the call with
/// <see cref="KernelRoutingExtensions.GetRouting(KernelArguments)"/> to report the outcome.
/// </summary>
/// <param name="ServiceId">The service (model) selected.</param>
/// <param name="RequestId">The router's request id; null when the router was not asked or did not answer (the fallback service was used).</param>
public sealed record KernelRouting(string ServiceId, string? RequestId)
{
    /// <summary>Argument name of the selected service id.</summary>
    public const string ServiceIdArgument = "semantic_router.service_id";

    /// <summary>Argument name of the router's request id (absent when there is none).</summary>
    public const string RequestIdArgument = "semantic_router.request_id";

    /// <summary>The report of this selection's outcome, for <see cref="ISemanticRouter.RecordOutcomeAsync"/>; null without a request id.</summary>
    public OutcomeReport? Outcome(bool success) => RequestId is null ? null : OutcomeReport.ForRequest(RequestId, ServiceId, success);
}

/// <summary>Reads <see cref="KernelRouting"/> from the arguments of an invocation.</summary>
public static class KernelRoutingExtensions
{
    /// <summary>The last selection made with these arguments, or null when the router selected nothing. Never throws.</summary>
    public static KernelRouting? GetRouting(this KernelArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (!arguments.TryGetValue(KernelRouting.ServiceIdArgument, out var id) || id is not string serviceId)
        {
            return null;
        }

        return new KernelRouting(serviceId, arguments.TryGetValue(KernelRouting.RequestIdArgument, out var r) ? r as string : null);
    }

    internal static void SetRouting(this KernelArguments arguments, KernelRouting? routing)
    {
        arguments.Remove(KernelRouting.ServiceIdArgument);
        arguments.Remove(KernelRouting.RequestIdArgument);
        if (routing is null)
        {
            return;
        }

        arguments[KernelRouting.ServiceIdArgument] = routing.ServiceId;
        if (routing.RequestId is not null)
        {
            arguments[KernelRouting.RequestIdArgument] = routing.RequestId;
        }
    }
}
