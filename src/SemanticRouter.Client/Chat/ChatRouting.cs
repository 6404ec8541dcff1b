using Microsoft.Extensions.AI;

namespace SemanticRouter.Client;

/// <summary>Why a response came from the default model rather than from the router's ranking.</summary>
public enum DefaultModelReason
{
    /// <summary>The router's ranking chose the model.</summary>
    None = 0,

    /// <summary>The request had no user text to rank.</summary>
    NoQuery = 1,

    /// <summary>The router could not be asked (down, unreachable, deadline passed).</summary>
    RouterUnavailable = 2,

    /// <summary>The router refused the prompt (e.g. longer than its query limit); the exception was logged.</summary>
    RouterRefused = 3,

    /// <summary>The router ranked none of the models the pipeline has a client for.</summary>
    NoRankedModel = 4,
}

/// <summary>
/// How <see cref="SemanticRouterChatClient"/> served one request, as stored in
/// <see cref="ChatResponse.AdditionalProperties"/> (for a stream: the first update's) under the keys below;
/// read it with <see cref="ChatRoutingExtensions.GetRouting(ChatResponse)"/>.
/// </summary>
/// <param name="Model">The model that answered.</param>
/// <param name="RequestId">The router's request id for this ranking; null when the router was not asked or did not answer.</param>
/// <param name="FailedModels">Models tried first that threw or timed out, in the order tried (their failures were reported).</param>
/// <param name="DefaultReason">Why the default model answered; <see cref="DefaultModelReason.None"/> when the ranking chose.</param>
public sealed record ChatRouting(string Model, string? RequestId, IReadOnlyList<string> FailedModels, DefaultModelReason DefaultReason)
{
    /// <summary>Key of the answering model's name (string).</summary>
    public const string ModelKey = "semantic_router.model";

    /// <summary>Key of the router's request id (string); absent when there is none.</summary>
    public const string RequestIdKey = "semantic_router.request_id";

    /// <summary>Key of the models that failed before (string[]; empty when the first one answered).</summary>
    public const string FailedModelsKey = "semantic_router.failed_models";

    /// <summary>Key of the reason the default model answered (string: no_query, router_unavailable, router_refused, no_ranked_model); absent when the ranking chose.</summary>
    public const string DefaultReasonKey = "semantic_router.default_reason";

    /// <summary>True when the default model answered instead of a ranked one.</summary>
    public bool UsedDefaultModel => DefaultReason != DefaultModelReason.None;

    internal void WriteTo(AdditionalPropertiesDictionary properties)
    {
        properties[ModelKey] = Model;
        if (RequestId is not null)
        {
            properties[RequestIdKey] = RequestId;
        }

        properties[FailedModelsKey] = FailedModels.ToArray();
        if (DefaultReason != DefaultModelReason.None)
        {
            properties[DefaultReasonKey] = ReasonText(DefaultReason);
        }
    }

    internal static ChatRouting? ReadFrom(AdditionalPropertiesDictionary? properties)
    {
        if (properties is null || !properties.TryGetValue(ModelKey, out var model) || model?.ToString() is not { Length: > 0 } name)
        {
            return null;
        }

        var requestId = properties.TryGetValue(RequestIdKey, out var id) ? id?.ToString() : null;
        IReadOnlyList<string> failed = properties.TryGetValue(FailedModelsKey, out var f) && f is IEnumerable<string> list ? [.. list] : [];
        var reason = properties.TryGetValue(DefaultReasonKey, out var r) ? ParseReason(r?.ToString()) : DefaultModelReason.None;
        return new ChatRouting(name, requestId, failed, reason);
    }

    private static string ReasonText(DefaultModelReason reason) => reason switch
    {
        DefaultModelReason.NoQuery => "no_query",
        DefaultModelReason.RouterUnavailable => "router_unavailable",
        DefaultModelReason.RouterRefused => "router_refused",
        DefaultModelReason.NoRankedModel => "no_ranked_model",
        _ => "none",
    };

    private static DefaultModelReason ParseReason(string? text) => text switch
    {
        "no_query" => DefaultModelReason.NoQuery,
        "router_unavailable" => DefaultModelReason.RouterUnavailable,
        "router_refused" => DefaultModelReason.RouterRefused,
        "no_ranked_model" => DefaultModelReason.NoRankedModel,
        _ => DefaultModelReason.None,
    };
}

/// <summary>Reads the <see cref="ChatRouting"/> that <see cref="SemanticRouterChatClient"/> put on a response.</summary>
public static class ChatRoutingExtensions
{
    /// <summary>How the response was routed, or null when it did not come through <see cref="SemanticRouterChatClient"/>. Never throws.</summary>
    public static ChatRouting? GetRouting(this ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ChatRouting.ReadFrom(response.AdditionalProperties);
    }

    /// <summary>As above, for the first update of a stream (the one that carries it).</summary>
    public static ChatRouting? GetRouting(this ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return ChatRouting.ReadFrom(update.AdditionalProperties);
    }
}
