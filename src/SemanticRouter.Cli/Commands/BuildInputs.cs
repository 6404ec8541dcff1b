using System.CommandLine;
using System.Globalization;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;
using SemanticRouter.Index;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using SemanticRouter.Settings;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// What `build` builds from besides the routes: the existing artefact's model, the route head's parameters and the ranking
/// settings, each from its flag, else from beside the routes (the layout `import` + `fit` produce).
/// </summary>
internal static class BuildInputs
{
    /// <summary>
    /// The manifest of the artefact already at <paramref name="output"/>, if any: a rebuild without
    /// --model or $SEMANTIC_ROUTER_MODEL keeps the model it was built with (the model rule's third step).
    /// </summary>
    internal static ArtifactManifest? ExistingManifest(string output)
    {
        try
        {
            return RouterArtifact.ReadManifest(output);
        }
        catch (Exception e) when (e is ArtifactException or IOException or UnauthorizedAccessException)
        {
            return null; // no readable artefact there yet: a first build
        }
    }

    /// <summary>The `fit` parameters to build the route head with: --params, else router-params.json in
    /// the routes directory or its parent (the layout `import` + `fit` produce), else none.</summary>
    internal static RouteHeadSettings? LoadHead(string routesDir, string? explicitFile)
    {
        string? file = explicitFile ?? FindBesideRoutes(routesDir, ArtifactFiles.Parameters);
        if (file is null)
        {
            return null;
        }

        if (!File.Exists(file))
        {
            throw new CliException($"{file}: parameters file not found", ExitCodes.BadInput);
        }

        try
        {
            return RouteHeadSettings.Load(file);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            throw new CliException($"{file}: {e.Message}", ExitCodes.BadInput);
        }
    }

    /// <summary>
    /// The ranker settings to carry in the index: --ranking-options, else ranking-options.json in the
    /// routes directory or its parent (where `fit --outcomes` writes it when run beside routes/), else none.
    /// </summary>
    internal static (RankingSettingsFile? Settings, string? File) LoadRankingSettings(string routesDir, string? explicitFile)
    {
        string? file = explicitFile ?? FindBesideRoutes(routesDir, RankingSettingsFile.DefaultFileName);
        return file is null ? (null, null) : (RankingFlags.ReadSettingsFile(file), file);
    }

    /// <summary>The file <paramref name="name"/> in the routes directory, else in its parent (the layout `import` + `fit` produce), else null.</summary>
    private static string? FindBesideRoutes(string routesDir, string name)
    {
        string full = Path.GetFullPath(routesDir);
        return new[] { Path.Combine(full, name), Path.Combine(Path.GetDirectoryName(full) ?? full, name) }.FirstOrDefault(File.Exists);
    }
}
