using System.CommandLine;
using SemanticRouter.Artifacts;
using SemanticRouter.Engine;
using SemanticRouter.Outcomes;
using SemanticRouter.Settings;

namespace SemanticRouter.Cli.Commands;

/// <summary>Opens a <see cref="RouterEngine"/> for the in-process commands (rank, outcomes import).</summary>
internal static class EngineOptions
{
    public static Option<string?> OutcomeDb() => new("--db")
    {
        Description = "Outcome store (SQLite; default: beside the index, <index>.outcomes.db)",
    };

    /// <summary>
    /// The engine over an index and the model it was built with, ranking with the settings the engine resolves
    /// from the index, <paramref name="settingsFile"/> (--ranking-options) and <paramref name="overrides"/> (flags);
    /// the caller disposes both. <paramref name="embeddingCache"/> &gt; 0 keeps that many query embeddings (for a
    /// caller that ranks one text several times).
    /// </summary>
    /// <exception cref="CliException">The index or model cannot be opened, or a setting is refused (one line naming its flag).</exception>
    public static (RouterEngine Engine, IDisposable Encoder) Open(string indexDirectory, string? modelDirectory, string? outcomeDb, RankingSettingsFile? settingsFile = null, RankingOverrides? overrides = null, int embeddingCache = 0)
    {
        var (artifact, model) = IndexOptions.Load(indexDirectory, modelDirectory);
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> encoder = embeddingCache > 0
            ? new Embeddings.CachingEmbeddingGenerator(model, embeddingCache) // disposes the model with it
            : model;
        try
        {
            var engine = new RouterEngine(
                new RouterEngineOptions { IndexDirectory = artifact.Directory, OutcomeDatabase = outcomeDb, RankingSettings = settingsFile, RankingOverrides = overrides },
                encoder,
                artifact);
            return (engine, encoder);
        }
        catch (RankingSettingsException e)
        {
            encoder.Dispose();
            throw RankingFlags.Explain(e);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What `outcomes import` writes into: the engine over the index (its neighbour search and the settings
    /// it ranks with, so an imported text is credited as `serve` credits an outcome that comes with its
    /// text) and the outcome store at <paramref name="outcomeDatabase"/>. The text outcome model is not
    /// fitted here (its weight is set to 0: nothing is ranked); `serve` fits it on the imported texts.
    /// </summary>
    public static IOutcomeImportTarget OpenOutcomeImport(string indexDirectory, string outcomeDatabase)
    {
        var (engine, encoder) = Open(indexDirectory, null, outcomeDatabase, overrides: new RankingOverrides { TextModelWeight = 0 });
        return new EngineImportTarget(engine, encoder);
    }

    private sealed class EngineImportTarget(RouterEngine engine, IDisposable encoder) : IOutcomeImportTarget
    {
        public long OutcomeCount => engine.OutcomeCount;

        public Task<OutcomeImportSummary> ImportOutcomesAsync(string path, OutcomeImportOptions options, CancellationToken cancellationToken) =>
            engine.ImportOutcomesAsync(path, options, cancellationToken);

        public void Dispose()
        {
            engine.Dispose();
            encoder.Dispose();
        }
    }
}
