using System.Diagnostics;
using SemanticRouter.Embeddings;
using SemanticRouter.Evaluation;
using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;
using SemanticRouter.Tests;

namespace SemanticRouter.Bench.Ranking;

/// <summary>
/// What the text outcome model costs on the ranking path and in the background: fitting it on
/// RouteLLM's MMLU outcomes (both models' outcomes of every prompt), and predicting both models for a
/// query, against embedding the same query with all-MiniLM-L6-v2 — the step every ranking pays anyway
/// — measured in the same run, interleaved rounds, medians.
/// </summary>
internal static class TextModelBench
{
    public static int Run(string[] args)
    {
        int rounds = BenchArgs.Int(args, "--rounds", 5);
        var data = OutcomeDataset.Load(Path.Combine(SharedPaths.Datasets, "routellm", "mmlu"));
        var outcomes = data.Prompts.SelectMany((p, i) => new[] { new TextOutcome(p, "weak", data.Weak[i]), new TextOutcome(p, "strong", data.Strong[i]) }).ToList();
        Console.Error.WriteLine($"text-model bench: {outcomes.Count} outcomes ({data.Prompts.Count} prompts × 2 models), {Environment.ProcessorCount} cores");

        var fit = Stopwatch.StartNew();
        var model = TextOutcomeModel.Fit(outcomes, new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) });
        fit.Stop();
        Console.WriteLine($"fit: {fit.Elapsed.TotalSeconds:0.0} s on {Math.Max(1, Environment.ProcessorCount / 2)} thread(s) (the engine's background setting)");
        WarmStart(outcomes, rounds: Math.Min(rounds, 3));
        // Memory against outcomes × models: `text-model memory` (TextModelMemoryBench), measured in child processes.

        using var encoder = SentenceEncoder.Open(SharedPaths.MiniLmModel, new SentenceEncoderOptions { IntraOpThreads = 1 });
        var queries = data.Prompts.Take(200).ToArray();
        var vector = new float[encoder.Dimensions];
        string[] models = ["weak", "strong"];
        var predictRounds = new List<double>();
        var embedRounds = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var t = Stopwatch.StartNew();
            foreach (var q in queries)
            {
                _ = model.Predict(q, models);
            }

            predictRounds.Add(t.Elapsed.TotalMicroseconds / queries.Length);
            t.Restart();
            foreach (var q in queries)
            {
                encoder.Embed([q], vector);
            }

            embedRounds.Add(t.Elapsed.TotalMicroseconds / queries.Length);
        }

        double predict = Median(predictRounds);
        double embed = Median(embedRounds);
        Console.WriteLine($"per query (MMLU prompts, mean {queries.Average(q => q.Length):0} chars): text model {predict:0.0} µs, embedding {embed:0.0} µs, ratio {predict / embed:0.000}");
        return 0;
    }

    /// <summary>
    /// The engine's refit: 10 % more outcomes than the serving model saw, fitted from zero (cold) and
    /// from the serving model's weights (warm), alternated; medians, their ratio, and how far the two
    /// models' predictions lie apart.
    /// </summary>
    private static void WarmStart(List<TextOutcome> outcomes, int rounds)
    {
        var options = new TextOutcomeModelOptions { Threads = Math.Max(1, Environment.ProcessorCount / 2) };
        // Outcomes come in pairs (both models of a prompt): keep the pairs whole.
        var earlier = TextOutcomeModel.Fit([.. outcomes.Take(outcomes.Count / 2 * 10 / 11 * 2)], options);
        var coldTimes = new List<double>();
        var warmTimes = new List<double>();
        TextOutcomeModel? cold = null, warm = null;
        for (var r = 0; r < rounds; r++)
        {
            var t = Stopwatch.StartNew();
            cold = TextOutcomeModel.Fit(outcomes, options);
            coldTimes.Add(t.Elapsed.TotalSeconds);
            t.Restart();
            warm = TextOutcomeModel.Fit(outcomes, options, warmStart: earlier);
            warmTimes.Add(t.Elapsed.TotalSeconds);
        }

        string[] models = ["weak", "strong"];
        var gap = outcomes.Select(o => o.Text).Distinct().Take(2000)
            .Max(q => models.Max(m => Math.Abs(cold!.Predict(q, models)[m] - warm!.Predict(q, models)[m])));
        Console.WriteLine($"refit after 10 % more outcomes ({earlier.OutcomeCount} → {outcomes.Count}): cold {Median(coldTimes):0.0} s ({cold!.Iterations} iterations), warm start {Median(warmTimes):0.0} s ({warm!.Iterations} iterations), ratio {Median(warmTimes) / Median(coldTimes):0.00}; largest prediction gap on 2,000 prompts {gap:0.0000}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
