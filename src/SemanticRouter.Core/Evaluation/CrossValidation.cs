namespace SemanticRouter.Evaluation;

/// <summary>Seeded, stratified k-fold splits.</summary>
public static class CrossValidation
{
    /// <summary>
    /// Assigns each item a fold in 0..folds−1 so that every label is spread evenly over the folds
    /// (items of a label are shuffled with <paramref name="seed"/>, then dealt round-robin, the
    /// dealing offset continuing across labels so fold sizes stay balanced).
    /// </summary>
    public static int[] StratifiedFolds<TLabel>(IReadOnlyList<TLabel> labels, int folds, int seed = 0)
        where TLabel : notnull
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var random = new Random(seed);
        var byLabel = new SortedDictionary<int, List<int>>();
        var labelIds = new Dictionary<TLabel, int>();
        for (var i = 0; i < labels.Count; i++)
        {
            if (!labelIds.TryGetValue(labels[i], out var id))
            {
                id = labelIds.Count;
                labelIds[labels[i]] = id;
                byLabel[id] = [];
            }

            byLabel[id].Add(i);
        }

        var assignment = new int[labels.Count];
        var next = 0;
        foreach (var members in byLabel.Values)
        {
            var shuffled = members.ToArray();
            random.Shuffle(shuffled);
            foreach (var i in shuffled)
            {
                assignment[i] = next;
                next = (next + 1) % folds;
            }
        }

        return assignment;
    }

    /// <summary>Unstratified seeded folds: a random permutation dealt round-robin.</summary>
    public static int[] Folds(int count, int folds, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        var assignment = new int[count];
        for (var i = 0; i < count; i++)
        {
            assignment[order[i]] = i % folds;
        }

        return assignment;
    }
}
