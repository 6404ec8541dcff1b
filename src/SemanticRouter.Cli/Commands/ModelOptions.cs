using System.CommandLine;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Cli.Commands;

/// <summary>Where a command's model folder came from (said in messages, so a wrong one is easy to trace).</summary>
internal enum ModelSource
{
    Flag,
    Environment,
    Index,
    Default,
}

/// <summary>The model folder a command uses and the step of the rule that chose it.</summary>
internal sealed record ModelChoice(string Directory, ModelSource Source)
{
    /// <summary>"--model DIR", "$SEMANTIC_ROUTER_MODEL DIR", …: how messages name the folder.</summary>
    public string Describe() => Source switch
    {
        ModelSource.Flag => $"--model {Directory}",
        ModelSource.Environment => $"${ModelOptions.ModelEnvironmentVariable} {Directory}",
        ModelSource.Index => $"{Directory} (the model the index was built with)",
        _ => $"{Directory} (the default model folder)",
    };
}

/// <summary>
/// Options shared by the commands that read texts through a model, and the one rule every command
/// (and run.sh) finds its model folder by: --model, else $SEMANTIC_ROUTER_MODEL, else the folder the
/// index was built with (commands that read or rebuild an index) while it exists, else
/// embeddings/models/all-MiniLM-L6-v2 under the current directory, which run.sh fills.
/// </summary>
internal static class ModelOptions
{
    public const string ModelEnvironmentVariable = "SEMANTIC_ROUTER_MODEL";
    public const string DefaultModelDirectory = "embeddings/models/all-MiniLM-L6-v2";

    /// <summary>--model of the commands that read no index (fit, eval, embed, tokenize).</summary>
    public static Option<string?> Model() => new("--model")
    {
        Description = $"Model folder (default: ${ModelEnvironmentVariable}, else {DefaultModelDirectory})",
        HelpName = "DIR",
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

    /// <summary>The rule, reading $SEMANTIC_ROUTER_MODEL.</summary>
    public static ModelChoice Resolve(string? flag, ArtifactManifest? index = null) =>
        Resolve(flag, index, Environment.GetEnvironmentVariable(ModelEnvironmentVariable));

    /// <summary>
    /// The rule: <paramref name="flag"/>, else <paramref name="environment"/>, else the folder the
    /// <paramref name="index"/> records while it still exists (an index copied from elsewhere falls
    /// through, and the fingerprint check decides), else <see cref="DefaultModelDirectory"/>.
    /// </summary>
    public static ModelChoice Resolve(string? flag, ArtifactManifest? index, string? environment)
    {
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return new ModelChoice(flag, ModelSource.Flag);
        }

        if (!string.IsNullOrWhiteSpace(environment))
        {
            return new ModelChoice(environment, ModelSource.Environment);
        }

        if (index is not null && Directory.Exists(index.Model.Directory))
        {
            return new ModelChoice(index.Model.Directory, ModelSource.Index);
        }

        return new ModelChoice(DefaultModelDirectory, ModelSource.Default);
    }

    /// <summary>Opens the folder the rule chose (a bad one: exit 3, naming where it came from).</summary>
    public static ModelFolder OpenFolder(ModelChoice choice)
    {
        try
        {
            return ModelFolder.Open(choice.Directory);
        }
        catch (ModelFolderException e)
        {
            string hint = choice.Source switch
            {
                ModelSource.Flag => "",
                ModelSource.Environment => $" (from ${ModelEnvironmentVariable})",
                ModelSource.Index => " (the model the index was built with)",
                _ => $" (the default: run ./run.sh, which links or pulls it, or pull one with `semantic-router model pull`, or give --model DIR or ${ModelEnvironmentVariable})",
            };
            throw new CliException($"model folder {e.Message}{hint}", ExitCodes.BadArtifact);
        }
    }

    /// <summary>
    /// Refuses a model other than the one the index was built with (its vectors would mean nothing to
    /// that model's queries), naming both folders; exit 3.
    /// </summary>
    public static void RequireIndexModel(ModelChoice choice, ModelFolder folder, string indexDirectory, ArtifactManifest index)
    {
        if (string.Equals(folder.Fingerprint, index.Model.Fingerprint, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string recorded = index.Model.Directory;
        if (choice.Source == ModelSource.Index)
        {
            throw new CliException(
                $"{recorded}, the model folder the index {indexDirectory} was built with, now holds another model.onnx (sha256 {Short(folder.Fingerprint)}…, the index has {Short(index.Model.Fingerprint)}…); rebuild the index",
                ExitCodes.BadArtifact);
        }

        string given = choice.Source == ModelSource.Default
            ? $"{choice.Directory} (the default model folder; {recorded}, which the index records, is gone)"
            : choice.Describe();
        string remedy = choice.Source == ModelSource.Environment
            ? $"unset {ModelEnvironmentVariable}, pass --model with the index's model, or rebuild the index with this one"
            : "pass --model with the index's model, or rebuild the index with this one";
        throw new CliException(
            $"{given} (sha256 {Short(folder.Fingerprint)}…) is not the model the index {indexDirectory} was built with: {index.Model.Name} in {recorded} (sha256 {Short(index.Model.Fingerprint)}…); {remedy}",
            ExitCodes.BadArtifact);
    }

    private static string Short(string fingerprint) => fingerprint[..Math.Min(12, fingerprint.Length)];
}
