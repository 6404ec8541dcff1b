namespace SemanticRouter.Evaluation;

/// <summary>
/// Prompts as vectors with every model's outcome and the cost of its call: what the cost–quality
/// evaluation reads (from an <c>Outcomes.Tables.OutcomeTable</c> and the prompts' embeddings).
/// </summary>
/// <param name="Matrix">n × <paramref name="Dimensions"/> unit vectors, row-major.</param>
/// <param name="Dimensions">Vector length.</param>
/// <param name="Models">Model names; <paramref name="Scores"/> and <paramref name="Costs"/> are n × models, row-major, in this order.</param>
/// <param name="Scores">Per prompt and model, the outcome in [0, 1].</param>
/// <param name="Costs">Per prompt and model, the call's cost (US dollars).</param>
/// <param name="Groups">Per prompt, its task set (RouterBench's eval_name).</param>
public sealed record CostQualitySet(float[] Matrix, int Dimensions, IReadOnlyList<string> Models, double[] Scores, double[] Costs, string[] Groups)
{
    public int Count => Groups.Length;

    public int ModelCount => Models.Count;

    /// <summary>
    /// Whether every call costs the same (a table without costs, read with one unit cost per call): then cost
    /// cannot tell the models apart, every λ picks alike, and only quality is compared (<see cref="CostQualityEvaluation"/>).
    /// </summary>
    public bool FlatCost => Costs.Length > 0 && Array.TrueForAll(Costs, c => c == Costs[0]);

    /// <summary>The given prompts, in the given order.</summary>
    public CostQualitySet Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var m = ModelCount;
        var scores = new double[rows.Count * m];
        var costs = new double[rows.Count * m];
        for (var j = 0; j < rows.Count; j++)
        {
            Array.Copy(Scores, rows[j] * m, scores, j * m, m);
            Array.Copy(Costs, rows[j] * m, costs, j * m, m);
        }

        return new CostQualitySet(OutcomeEvaluation.Rows(Matrix, Dimensions, [.. rows]), Dimensions, Models, scores, costs, [.. rows.Select(r => Groups[r])]);
    }

    /// <summary>Per model, the mean outcome and the mean cost per prompt.</summary>
    public (double[] Quality, double[] Cost) Means()
    {
        var m = ModelCount;
        var quality = new double[m];
        var cost = new double[m];
        for (var i = 0; i < Count; i++)
        {
            for (var j = 0; j < m; j++)
            {
                quality[j] += Scores[(i * m) + j];
                cost[j] += Costs[(i * m) + j];
            }
        }

        for (var j = 0; j < m; j++)
        {
            quality[j] /= Count;
            cost[j] /= Count;
        }

        return (quality, cost);
    }
}
