namespace SemanticRouter.Routes;

/// <summary>One target model of a route and its prior: the expected success rate in [0, 1] before any
/// outcome for this route has been observed.</summary>
public sealed record RouteTarget(string Model, double Prior);

/// <summary>
/// A validated route: example utterances that stand for one kind of prompt, and the target models
/// that should serve it. Built only by <see cref="RouteCatalog"/>, so every value here has been checked.
/// </summary>
/// <param name="Name">Unique across the catalogue; matches <see cref="RouteNames.Pattern"/>.</param>
/// <param name="Description">What prompts belong here (for people and tools).</param>
/// <param name="Utterances">Example prompts, trimmed, in file order; none empty, none repeated in the catalogue
/// (compared case-insensitively with whitespace collapsed).</param>
/// <param name="Targets">At least one target model, each named once, in file order.</param>
/// <param name="Threshold">Minimum cosine similarity in [-1, 1] for a query to match this route; null means the
/// router's default.</param>
/// <param name="Metadata">Free-form string map (file defaults merged under the route's own keys).</param>
/// <param name="SourceFile">The route file this route was read from, as passed to the loader.</param>
/// <param name="Line">1-based line of the route in <paramref name="SourceFile"/>.</param>
public sealed record Route(
    string Name,
    string Description,
    IReadOnlyList<string> Utterances,
    IReadOnlyList<RouteTarget> Targets,
    double? Threshold,
    IReadOnlyDictionary<string, string> Metadata,
    string SourceFile,
    int Line);

/// <summary>A model that routes can target, declared once in <c>models.yaml</c>.</summary>
/// <param name="Name">Unique model name as the caller knows it (e.g. <c>gpt-4o-mini</c>).</param>
/// <param name="InputCostPerMillionTokens">Price per million prompt tokens (USD unless the catalogue says otherwise).</param>
/// <param name="OutputCostPerMillionTokens">Price per million completion tokens.</param>
/// <param name="MaxContextTokens">Context window in tokens, when declared.</param>
public sealed record TargetModel(
    string Name,
    double InputCostPerMillionTokens,
    double OutputCostPerMillionTokens,
    int? MaxContextTokens)
{
    /// <summary>Who serves the model (free text, optional).</summary>
    public string? Provider { get; init; }

    /// <summary>Free-form description (optional).</summary>
    public string? Description { get; init; }

    /// <summary>Free-form string map (optional; empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>1-based line of the model's entry in the catalogue file.</summary>
    public int Line { get; init; }

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();
}
