using System.Text.Json.Serialization;

namespace SemanticRouter.Artifacts;

/// <summary>One line of utterances.jsonl.</summary>
internal sealed record UtteranceRecord(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("text")] string Text);

/// <summary>Source-generated JSON for artefact files (no reflection at load time).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ArtifactManifest))]
[JsonSerializable(typeof(UtteranceRecord))]
internal sealed partial class ArtifactJsonContext : JsonSerializerContext;
