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

    /// <summary>--model for commands whose default is the model the index was built with.</summary>
    public static Option<string?> ModelOverride() => new("--model")
    {
        Description = "Model folder (default: the one recorded in the index manifest; its sha256 must match)",
    };

    public static string DefaultIndex()
    {
        string? env = Environment.GetEnvironmentVariable(IndexEnvironmentVariable);
        return string.IsNullOrWhiteSpace(env) ? DefaultIndexDirectory : env;
    }

    /// <summary>Loads the artefact and the model that matches it (the recorded one unless overridden).</summary>
    public static (RouterArtifact Artifact, SentenceEncoder Encoder) Load(string indexDirectory, string? modelDirectory, SentenceEncoderOptions? encoderOptions = null)
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

        var folder = ModelOptions.OpenFolder(modelDirectory ?? manifest.Model.Directory);
        try
        {
            var artifact = RouterArtifact.Load(indexDirectory, folder.Fingerprint);
            return (artifact, new SentenceEncoder(folder, encoderOptions));
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
