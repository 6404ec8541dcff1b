using SemanticRouter.Index;
using SemanticRouter.RouteHead;

namespace SemanticRouter.Evaluation;

/// <summary>Our figures and the baselines', all on the same embeddings and the same test set.</summary>
public sealed record IntentEvaluationResult(
    ClassificationReport Report,
    IReadOnlyList<(string Method, ClassificationReport Report)> Baselines,
    RouteHeadParameters Parameters);

/// <summary>
/// Intent-routing evaluation: trains the route head on all route utterances, ranks every test item
/// with the fitted blend (neighbours from an <see cref="IVectorIndex"/> over the route utterances, exact by default) and
/// reports, next to ours, 1-NN, exact kNN majority vote (k = 5 and the fitted k), semantic-router's
/// aggregation (top-5 utterances, mean similarity per route), the similarity-weighted kNN alone and
/// the route head alone (multinomial logistic regression), none of them abstaining.
/// </summary>
public static class IntentEvaluation
{
    public static IntentEvaluationResult Run(
        IReadOnlyList<string> routes,
        float[] matrix,
        int[] labels,
        float[] testMatrix,
        IReadOnlyList<string?> testRoutes,
        RouteHeadParameters parameters,
        IVectorIndex? neighbors = null,
        int threads = 0,
        Action<string>? log = null,
        float[]? outOfScopeTraining = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(testMatrix);
        ArgumentNullException.ThrowIfNull(testRoutes);
        ArgumentNullException.ThrowIfNull(parameters);
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        var dims = matrix.Length / labels.Length;
        neighbors ??= ExactIndex.FromRows(matrix, dims);
        log?.Invoke($"training the route head on {labels.Length} utterances");
        var head = RouteHeadTrainer.Train(routes, matrix, labels, parameters.HeadOutOfScopeClass ? outOfScopeTraining : null, new RouteClassifierOptions { L2 = parameters.HeadL2, Threads = threads });
        var n = testRoutes.Count;
        var kSearch = Math.Max(parameters.K, 10);
        var ours = new string?[n];
        var oursNoAbstain = new string?[n];
        var methods = new[] { "1-NN", "kNN majority (k=5)", $"kNN majority (fitted k={parameters.K})", "semantic-router (top-5, mean per route)", $"kNN similarity-weighted (k={parameters.K}, temperature={parameters.Temperature})", "route head alone (logistic regression)" };
        var baseline = methods.Select(_ => new string?[n]).ToArray();
        log?.Invoke($"ranking {n} test items");
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var q = testMatrix.AsSpan(i * dims, dims);
            VectorHit[] hits = [.. neighbors.Search(q, kSearch)];
            var logits = new float[head.Routes.Count];
            head.Logits(q, logits);
            var score = RouteHeadMath.AbstainScore(logits, hits, parameters, parameters.AbstainRule, routes.Count, labels, out var best);
            oursNoAbstain[i] = routes[best];
            ours[i] = parameters.AbstainRule != AbstainRules.None && score < parameters.Threshold ? null : routes[best];
            baseline[0][i] = routes[labels[hits[0].Id]];
            baseline[1][i] = routes[RouteVoting.MajorityVote(hits, labels, 5)];
            baseline[2][i] = routes[RouteVoting.MajorityVote(hits, labels, parameters.K)];
            baseline[3][i] = routes[RouteVoting.SemanticRouterMean(hits, labels, 5).Route];
            var knn = new float[routes.Count];
            RouteHeadMath.KnnVote(hits, labels, parameters.K, parameters.Temperature, knn);
            baseline[4][i] = routes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(knn)];
            baseline[5][i] = routes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.AsSpan(0, routes.Count))];
        });

        var report = ClassificationReport.Compute(testRoutes, ours, oursNoAbstain);
        var baselines = methods.Select((m, j) => (m, ClassificationReport.Compute(testRoutes, baseline[j]))).ToList();
        return new IntentEvaluationResult(report, baselines, parameters);
    }
}
