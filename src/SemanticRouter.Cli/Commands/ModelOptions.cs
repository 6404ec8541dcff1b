using System.CommandLine;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Cli.Commands;

/// <summary>Options shared by the commands that read texts through a model.</summary>
internal static class ModelOptions
{
    public const string ModelEnvironmentVariable = "SEMANTIC_ROUTER_MODEL";
    public const string DefaultModelDirectory = "embeddings/models/all-MiniLM-L6-v2";

    public static Option<string> Model() => new("--model")
    {
        Description = $"Model folder (default: ${ModelEnvironmentVariable}, else {DefaultModelDirectory})",
        DefaultValueFactory = _ => DefaultModel(),
    };

    public static Option<string> Input() => new("--input")
    {
        Description = "Input file, one text per line (- for stdin)",
        DefaultValueFactory = _ => "-",
    };

    public static Option<bool> Jsonl() => new("--jsonl")
    {
        Description = "Each input line is a JSON string (for texts holding newlines)",
    };

    public static string DefaultModel()
    {
        string? env = Environment.GetEnvironmentVariable(ModelEnvironmentVariable);
        return string.IsNullOrWhiteSpace(env) ? DefaultModelDirectory : env;
    }

    public static ModelFolder OpenFolder(string directory)
    {
        try
        {
            return ModelFolder.Open(directory);
        }
        catch (ModelFolderException e)
        {
            throw new CliException($"model folder {e.Message} (pull one with `semantic-router model pull`, or set --model / ${ModelEnvironmentVariable})", ExitCodes.BadArtifact);
        }
    }
}
