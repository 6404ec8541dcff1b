using System.CommandLine;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Cli.Commands;

/// <summary>Options and loading shared by the commands that read an index artefact.</summary>
internal static class IndexOptions
{
    public const string IndexEnvironmentVariable = "SEMANTIC_ROUTER_INDEX";
    public const string DefaultIndexDirectory = "embeddings/index";

    public static Option<string> Index() => new("--index")
    {
        Description = $"Index artefact directory (default: ${IndexEnvironmentVariable}, else {DefaultIndexDirectory})",
        DefaultValueFactory = _ => DefaultIndex(),
    };

    /// <summary>--model of the commands that read an index (its sha256 must match the index's).</summary>
    public static Option<string?> ModelOverride() => new("--model")
    {
        Description = $"Model folder (default: ${ModelOptions.ModelEnvironmentVariable}, else the one the index was built with); it must be the model the index was built with",
        HelpName = "DIR",
    };

    public static string DefaultIndex()
    {
        string? env = Environment.GetEnvironmentVariable(IndexEnvironmentVariable);
        return string.IsNullOrWhiteSpace(env) ? DefaultIndexDirectory : env;
    }

    /// <summary>
    /// Loads the artefact and its model, found by the one rule (<see cref="ModelOptions.Resolve(string?, ArtifactManifest?)"/>):
    /// <paramref name="modelFlag"/>, else $SEMANTIC_ROUTER_MODEL, else the folder the index records.
    /// A model other than the index's is refused with exit 3, naming both.
    /// </summary>
    public static (RouterArtifact Artifact, SentenceEncoder Encoder) Load(string indexDirectory, string? modelFlag, SentenceEncoderOptions? encoderOptions = null)
    {
        ArtifactManifest manifest;
        try
        {
            manifest = RouterArtifact.ReadManifest(indexDirectory);
        }
        catch (ArtifactException e)
        {
            throw new CliException(e.Message, ExitCodes.BadArtifact);
        }

        var choice = ModelOptions.Resolve(modelFlag, manifest);
        var folder = ModelOptions.OpenFolder(choice);
        ModelOptions.RequireIndexModel(choice, folder, indexDirectory, manifest);
        try
        {
            var artifact = RouterArtifact.Load(indexDirectory, folder.Fingerprint);
            return (artifact, new SentenceEncoder(folder, SentenceEncoderOptions.ForIndex(encoderOptions, Startup.RouterStartup.LongInputOf(manifest, indexDirectory))));
        }
        catch (ArtifactException e)
        {
            throw new CliException(e.Message, ExitCodes.BadArtifact);
        }
        catch (ModelFolderException e)
        {
            throw new CliException($"model folder {e.Message}", ExitCodes.BadArtifact);
        }
    }
}
