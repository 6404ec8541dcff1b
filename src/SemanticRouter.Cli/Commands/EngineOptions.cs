using System.CommandLine;
using SemanticRouter.Artifacts;
using SemanticRouter.Engine;
using SemanticRouter.Ranking;

namespace SemanticRouter.Cli.Commands;

/// <summary>Opens a <see cref="RouterEngine"/> for the in-process commands (rank, outcomes import).</summary>
internal static class EngineOptions
{
    public static Option<string?> OutcomeDb() => new("--db")
    {
        Description = "Outcome store (SQLite; default: beside the index, <index>.outcomes.db)",
    };

    /// <summary>The engine over an index and the model it was built with; the caller disposes both.</summary>
    public static (RouterEngine Engine, IDisposable Encoder) Open(string indexDirectory, string? modelDirectory, string? outcomeDb, RankingOptions? ranking = null) =>
        Open(indexDirectory, modelDirectory, outcomeDb, _ => (ranking, null));

    /// <summary>
    /// As above, with ranking options that depend on the loaded artefact (e.g. checked against its
    /// routes) and the --ranking-options file they came from, whose route_head_weight the engine takes.
    /// </summary>
    public static (RouterEngine Engine, IDisposable Encoder) Open(string indexDirectory, string? modelDirectory, string? outcomeDb, Func<RouterArtifact, (RankingOptions? Options, RankingSettingsFile? File)> ranking)
    {
        var (artifact, encoder) = IndexOptions.Load(indexDirectory, modelDirectory);
        try
        {
            var (options, file) = ranking(artifact);
            var engine = new RouterEngine(
                new RouterEngineOptions { IndexDirectory = artifact.Directory, OutcomeDatabase = outcomeDb, Ranking = options, RouteHeadWeight = file?.RouteHeadWeight },
                encoder,
                artifact);
            return (engine, encoder);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The outcome-crediting seam of `outcomes import`: query text → nearest utterances of the index,
    /// weighted with the settings the index carries (else the defaults), as `serve` credits an outcome
    /// that comes with its text.
    /// </summary>
    public static OutcomeIndex OpenOutcomeIndex(string indexDirectory)
    {
        var (artifact, encoder) = IndexOptions.Load(indexDirectory, null);
        var catalog = artifact.Catalog;
        var options = artifact.RankingSettings?.ToOptions() ?? new RankingOptions(); // checked when the artefact was loaded

        IReadOnlyList<Neighbor> Find(string text)
        {
            var hits = artifact.Index.Search(encoder.Embed(text), options.K);
            return [.. hits.Select(h =>
            {
                var u = artifact.Utterances[h.Id];
                return new Neighbor(h.Id, u.Key, u.Route, u.Text, h.Similarity);
            })];
        }

        return new OutcomeIndex(Find, catalog.Models.Contains) { Owner = encoder, Weighting = options };
    }
}
