using System.Globalization;
using System.Text.Json;
using SemanticRouter.Embeddings;
using SemanticRouter.Evaluation;
using SemanticRouter.Index;
using SemanticRouter.RouteHead;
using SemanticRouter.Routes;
using Spectre.Console;

namespace SemanticRouter.Bench.Evaluation;

/// <summary>
/// One global abstention threshold (what <c>fit</c> writes) against per-route thresholds: the global
/// level plus, per predicted route, the route's own statistic of its correctly routed validation
/// scores minus the same statistic over all routes, shrunk by n_r / (n_r + n0). The common level of
/// each variant is chosen on the validation set under the loss budget, exactly as <c>fit</c> chooses
/// its threshold; the test split is only scored. Needs an <c>import</c>ed directory that <c>fit</c> has
/// run on (router-params.json with an abstention rule, validation.jsonl with out-of-scope lines).
/// A quality experiment, not a speed benchmark: it prints recall and loss, no ratios.
/// </summary>
internal static class RouteThresholdBench
{
    private static readonly double[] Budgets = [0.015, 0.019];
    private static readonly double[] Quantiles = [0.5, 0.1, 0.05];
    private static readonly double[] Shrinkage = [40, 20, 10, 5];

    public static int Run(string[] args)
    {
        string? dir = Arg(args, "--routes");
        string? model = Arg(args, "--model") ?? Environment.GetEnvironmentVariable("SEMANTIC_ROUTER_MODEL");
        if (dir is null || model is null)
        {
            Console.Error.WriteLine("usage: route-thresholds --routes DIR [--model DIR]   (DIR from `import` + `fit`; model also from SEMANTIC_ROUTER_MODEL)");
            return 2;
        }

        var p = RouteHeadParameters.Read(Path.Combine(dir, RouteHeadParameters.DefaultFileName));
        if (p.AbstainRule == "none")
        {
            Console.Error.WriteLine($"{dir}/router-params.json has no abstention rule: fit found no out-of-scope examples to set one");
            return 2;
        }

        var catalog = RouteCatalog.Load(Path.Combine(dir, "routes"));
        var routes = catalog.Routes.Select(r => r.Name).ToList();
        var index = routes.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i, StringComparer.Ordinal);
        var texts = catalog.Routes.SelectMany(r => r.Utterances).ToList();
        var labels = catalog.Routes.SelectMany(r => r.Utterances.Select(_ => index[r.Name])).ToArray();
        var validation = ReadJsonl(Path.Combine(dir, "validation.jsonl"), index);
        var test = ReadJsonl(Path.Combine(dir, "test.jsonl"), index);
        string oosFile = Path.Combine(dir, "oos_train.jsonl");
        var oosTexts = p.HeadOutOfScopeClass && File.Exists(oosFile) ? ReadJsonl(oosFile, index).Texts : [];

        using var encoder = SentenceEncoder.Open(model);
        var cache = EmbeddingCache.Open(EmbeddingCache.DefaultDirectory, EmbeddingCache.FingerprintOf(Path.Combine(model, "model.onnx")), encoder.Dimensions);
        float[][] Embed(IReadOnlyList<string> t)
        {
            var m = new float[t.Count * encoder.Dimensions];
            encoder.Embed(t, m);
            return [.. Enumerable.Range(0, t.Count).Select(i => m.AsSpan(i * encoder.Dimensions, encoder.Dimensions).ToArray())];
        }

        var matrix = cache.GetOrEmbed(texts, Embed);
        var head = RouteHeadTrainer.Train(routes, matrix, labels, oosTexts.Count > 0 ? cache.GetOrEmbed(oosTexts, Embed) : null, new RouteClassifierOptions { L2 = p.HeadL2 });
        var exact = ExactIndex.FromRows(matrix, encoder.Dimensions);
        var val = Score(cache.GetOrEmbed(validation.Texts, Embed), validation.Labels, head, exact, p, routes.Count, labels, encoder.Dimensions);
        var tst = Score(cache.GetOrEmbed(test.Texts, Embed), test.Labels, head, exact, p, routes.Count, labels, encoder.Dimensions);
        Console.Error.WriteLine($"{dir}: {texts.Count} utterances, {routes.Count} routes; rule {p.AbstainRule}, k {p.K}, τ {p.Temperature}, α {p.RouteHeadWeight}, L2 {p.HeadL2}");

        var correct = Enumerable.Range(0, val.Labels.Length).Where(i => val.Labels[i] >= 0 && val.Predicted[i] == val.Labels[i]).ToArray();
        var table = new Table().AddColumns("budget", "variant", "validation OOS recall / loss", "test OOS recall / loss");
        foreach (double budget in Budgets)
        {
            Add(table, budget, "one global threshold", new double[routes.Count], val, tst);
            foreach (double q in Quantiles)
            {
                double overall = Quantile([.. correct.Select(i => val.Scores[i])], q);
                foreach (double n0 in Shrinkage)
                {
                    var offsets = new double[routes.Count];
                    for (int r = 0; r < routes.Count; r++)
                    {
                        var own = correct.Where(i => val.Predicted[i] == r).Select(i => val.Scores[i]).ToArray();
                        offsets[r] = own.Length == 0 ? 0 : own.Length / (own.Length + n0) * (Quantile(own, q) - overall);
                    }

                    Add(table, budget, $"q{q:0.##} offsets, n0 = {n0}", offsets, val, tst);
                }
            }
        }

        AnsiConsole.Write(table);
        return 0;
    }

    private sealed record Scored(double[] Scores, int[] Predicted, int[] Labels);

    private static Scored Score(float[] matrix, int[] labels, RouteClassifier head, ExactIndex exact, RouteHeadParameters p, int routeCount, int[] rowRoute, int dims)
    {
        var scores = new double[labels.Length];
        var predicted = new int[labels.Length];
        Parallel.For(0, labels.Length, i =>
        {
            var q = matrix.AsSpan(i * dims, dims);
            var logits = new float[head.Routes.Count];
            head.Logits(q, logits);
            VectorHit[] hits = [.. exact.Search(q, p.K)];
            scores[i] = RouteHeadMath.AbstainScore(logits, hits, p, p.AbstainRule, routeCount, rowRoute, out predicted[i]);
        });
        return new Scored(scores, predicted, labels);
    }

    private static void Add(Table table, double budget, string name, double[] offsets, Scored val, Scored test)
    {
        double level = ChooseLevel(val, offsets, budget);
        var (vr, vl) = Apply(val, level, offsets);
        var (tr, tl) = Apply(test, level, offsets);
        table.AddRow(budget.ToString("P1", CultureInfo.InvariantCulture), name, $"{vr:P1} / {vl:P2}", $"{tr:P1} / {tl:P2}");
    }

    /// <summary>As fit: the level with the best held-out OOS recall among those losing at most the budget.</summary>
    private static double ChooseLevel(Scored val, double[] offsets, double budget)
    {
        var candidates = Enumerable.Range(0, val.Scores.Length).Select(i => val.Scores[i] - offsets[val.Predicted[i]] + 1e-9).Distinct().Order();
        double best = double.NegativeInfinity, bestRecall = -1;
        foreach (double level in candidates)
        {
            var (recall, loss) = Apply(val, level, offsets);
            if (loss > budget)
            {
                break;
            }

            if (recall > bestRecall)
            {
                (best, bestRecall) = (level, recall);
            }
        }

        return best;
    }

    private static (double Recall, double Loss) Apply(Scored d, double level, double[] offsets)
    {
        int inScope = 0, lost = 0, oos = 0, caught = 0;
        for (int i = 0; i < d.Labels.Length; i++)
        {
            bool abstain = d.Scores[i] < level + offsets[d.Predicted[i]];
            if (d.Labels[i] < 0)
            {
                oos++;
                caught += abstain ? 1 : 0;
            }
            else
            {
                inScope++;
                lost += abstain && d.Predicted[i] == d.Labels[i] ? 1 : 0;
            }
        }

        return ((double)caught / Math.Max(1, oos), (double)lost / Math.Max(1, inScope));
    }

    private static double Quantile(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)(q * (sorted.Length - 1))];
    }

    private static (List<string> Texts, int[] Labels) ReadJsonl(string path, Dictionary<string, int> index)
    {
        var texts = new List<string>();
        var labels = new List<int>();
        foreach (string line in File.ReadLines(path).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            texts.Add(doc.RootElement.GetProperty("text").GetString() ?? "");
            var route = doc.RootElement.GetProperty("route");
            labels.Add(route.ValueKind == JsonValueKind.Null ? -1 : index[route.GetString() ?? ""]);
        }

        return (texts, [.. labels]);
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
