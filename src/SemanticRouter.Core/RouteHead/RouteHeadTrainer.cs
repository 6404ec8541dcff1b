namespace SemanticRouter.RouteHead;

/// <summary>Trains the route head's classifier on the route utterances (at build time, and per fold in <c>fit</c>).</summary>
public static class RouteHeadTrainer
{
    /// <summary>Name of the extra class trained on out-of-scope examples.</summary>
    public const string OutOfScopeClass = "__out_of_scope__";

    /// <summary>
    /// Trains the route head; with out-of-scope training examples it gets one extra class
    /// (<see cref="OutOfScopeClass"/>, last) so in-scope logits learn to stay low off-topic. A pure
    /// function of its inputs: retraining on a rebuild gives the same classifier.
    /// </summary>
    public static RouteClassifier Train(IReadOnlyList<string> routes, float[] matrix, int[] labels, float[]? outOfScopeTraining, RouteClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(labels);
        if (outOfScopeTraining is null || outOfScopeTraining.Length == 0)
        {
            return RouteClassifier.Train(routes, matrix, labels, options);
        }

        var dims = matrix.Length / labels.Length;
        var extra = outOfScopeTraining.Length / dims;
        return RouteClassifier.Train(
            [.. routes, OutOfScopeClass],
            [.. matrix, .. outOfScopeTraining],
            [.. labels, .. Enumerable.Repeat(routes.Count, extra)],
            options);
    }
}
