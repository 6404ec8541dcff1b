using System.Globalization;
using System.Text.Json;
using SemanticRouter.Engine;
using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>
/// <c>eval --index DIR --test FILE</c>: every test line through <see cref="RouterEngine.RankAsync"/>, exactly what
/// <c>serve</c> answers (HNSW, route head, ranker, abstention, with the settings the engine resolves from the
/// index alone), scored like <c>eval --routes</c>.
/// </summary>
internal static partial class EvalCommand
{
    private static async Task<int> ServedPath(string indexDirectory, string? modelFlag, string testFile, bool json, TextWriter stdout, TextWriter stderr)
    {
        var rows = EvalData.LoadJsonl(testFile);
        string db = Path.Combine(Path.GetTempPath(), $"semantic-router-eval-{Environment.ProcessId}.db");
        var (engine, encoder) = EngineOptions.Open(indexDirectory, modelFlag, db);
        EvalData.WarnUnknownRoutes(rows, engine.Catalog.Routes.Select(r => r.Name), testFile, stderr);
        var expected = new string?[rows.Count];
        var predicted = new string?[rows.Count];
        var noAbstain = new string?[rows.Count];
        try
        {
            using (encoder)
            using (engine)
            {
                for (int i = 0; i < rows.Count; i++)
                {
                    var decision = await engine.RankAsync(new EngineQuery(rows[i].Text)).ConfigureAwait(false);
                    expected[i] = rows[i].Route;
                    noAbstain[i] = decision.Ranking.Match?.Route;
                    predicted[i] = decision.Ranking.IsAbstained ? null : noAbstain[i];
                    if ((i + 1) % 1000 == 0)
                    {
                        await stderr.WriteLineAsync($"eval: {i + 1}/{rows.Count}").ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            foreach (string f in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(f);
            }
        }

        var r = ClassificationReport.Compute(expected, predicted, noAbstain);
        var inv = CultureInfo.InvariantCulture;
        if (json)
        {
            var fields = ReportFields(r);
            fields["path"] = "engine";
            await stdout.WriteLineAsync(JsonSerializer.Serialize(fields)).ConfigureAwait(false);
        }
        else
        {
            await stdout.WriteLineAsync(string.Create(inv, $"served path (RouterEngine over {indexDirectory}), {r.N} items: accuracy {r.Accuracy:P2}, without abstention {r.AccuracyNoAbstain:P2}, OOS precision {r.OosPrecision:P2}, OOS recall {r.OosRecall:P2}, macro-F1 {r.MacroF1:P2}")).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }
}
