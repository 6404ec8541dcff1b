using SemanticRouter.Evaluation;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Evaluation;

public class OutcomeDatasetTests
{
    [Fact]
    public void Load_Folder_NamesARoutePerFileAndDropsContaminatedPrompts()
    {
        using var dir = new TestDirectory();
        dir.Write("mmlu/algebra.csv", "prompt,weak-model,strong-model\n\"2+2?\nA) 4\",True,True\nhard sum,False,True\n");
        dir.Write("mmlu/history.csv", "prompt,weak-model,strong-model\nwho won,True,False\nleaked,True,True\n");
        dir.Write("mmlu_contaminated_prompts.jsonl", "{\"eval_prompt\": \"leaked\"}\n");

        var data = OutcomeDataset.Load(Path.Combine(dir.Path, "mmlu"));

        Assert.Equal(["algebra", "history"], data.Routes);
        Assert.Equal(["2+2?\nA) 4", "hard sum", "who won"], data.Prompts);
        Assert.Equal([0, 0, 1], data.RouteOf);
        Assert.Equal<double>([1.0, 0.0, 1.0], data.Weak);
        Assert.Equal<double>([1.0, 1.0, 0.0], data.Strong);
        Assert.Equal(1, data.Excluded);
        Assert.Equal(("weak-model", "strong-model"), (data.WeakModel, data.StrongModel));
    }

    [Fact]
    public void Load_OutcomesAsNumbersOrInAnyCase_AreRead()
    {
        using var dir = new TestDirectory();
        var file = dir.Write("law.csv", "prompt,weak,strong\na,1.0,TRUE\nb,0,false\nc,1,0.0\n");

        var data = OutcomeDataset.Load(file);

        Assert.Equal<double>([1.0, 0.0, 1.0], data.Weak);
        Assert.Equal<double>([1.0, 0.0, 0.0], data.Strong);
    }

    [Fact]
    public void Load_ScoresBetweenZeroAndOne_AreReadAsGrades()
    {
        using var dir = new TestDirectory();
        var file = dir.Write("judged.csv", "prompt,weak,strong\na,0.25,0.9\nb,0,1\nc, 0.5 ,True\n");

        var data = OutcomeDataset.Load(file);

        Assert.Equal<double>([0.25, 0, 0.5], data.Weak);
        Assert.Equal<double>([0.9, 1, 1], data.Strong);
        Assert.True(data.IsGraded);
        Assert.False(OutcomeDataset.Load(dir.Write("binary.csv", "prompt,weak,strong\na,1,0\nb,False,1.0\n")).IsGraded);
    }

    [Theory]
    [InlineData("yes", "'yes' is not an outcome: expected True/False, 1/0 or a score in [0, 1]")]
    [InlineData("7", "'7' is not an outcome: expected True/False, 1/0 or a score in [0, 1]")]
    [InlineData("-0.5", "'-0.5' is not an outcome")]
    [InlineData("NaN", "'NaN' is not an outcome")]
    [InlineData("", "'' is not an outcome")]
    public void Load_OtherOutcome_RefusedWithFileAndLine(string value, string message)
    {
        using var dir = new TestDirectory();
        var file = dir.Write("law.csv", $"prompt,weak,strong\na,True,True\nb,{value},True\n");

        var e = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file));

        Assert.Contains("law.csv:3: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Load_NamedColumns_PickTwoOfSeveralModels()
    {
        using var dir = new TestDirectory();
        var file = dir.Write("many.csv", "prompt,llama,mixtral,gpt-4\nq1,False,True,True\nq2,False,False,True\n");

        var byDefault = OutcomeDataset.Load(file);
        var named = OutcomeDataset.Load(file, weakColumn: "mixtral");
        var both = OutcomeDataset.Load(file, weakColumn: "gpt-4", strongColumn: "llama");

        Assert.Equal(("llama", "gpt-4"), (byDefault.WeakModel, byDefault.StrongModel));
        Assert.Equal(("mixtral", "gpt-4"), (named.WeakModel, named.StrongModel));
        Assert.Equal<double>([1.0, 0.0], named.Weak);
        Assert.Equal(("gpt-4", "llama"), (both.WeakModel, both.StrongModel));
        var e = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file, strongColumn: "claude"));
        Assert.Contains("no model column 'claude' (--strong; its model columns are llama, mixtral, gpt-4)", e.Message);
        Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file, weakColumn: "prompt"));
        Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file, weakColumn: "gpt-4", strongColumn: "gpt-4"));
    }

    [Fact]
    public void Load_AnswerColumnsBesideTheOutcomes_AreNotModels()
    {
        // RouteLLM's GSM8K shape: the two outcomes, then each model's answer (quoted, several lines).
        using var dir = new TestDirectory();
        var file = dir.Write("gsm8k_responses.csv",
            "prompt,mixtral-8x7b-instruct-v0.1,gpt-4-1106-preview,mixtral-8x7b-instruct-v0.1_response,gpt-4-1106-preview_response\n" +
            "\"Tom has 3 apples, eats one. How many are left?\",True,True,\" 3 - 1 = 2.\n#### 2\",\"He has 3 - 1 = 2 apples left.\"\n" +
            "A train goes 60 mph for 2.5 hours. How far?,False,True,\"60 * 2 = 120\n\n#### 120\",\"60 * 2.5 = 150 miles.\"\n");
        dir.Write("contaminated_prompts.jsonl", "{\"train_prompt\": \"x\", \"eval_prompt\": \"nothing here\"}\n");

        var data = OutcomeDataset.Load(file);

        Assert.Equal(("mixtral-8x7b-instruct-v0.1", "gpt-4-1106-preview"), (data.WeakModel, data.StrongModel));
        Assert.Equal<double>([1.0, 0.0], data.Weak);
        Assert.Equal<double>([1.0, 1.0], data.Strong);
        Assert.Equal(["gsm8k_responses"], data.Routes);
        var named = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file, strongColumn: "gpt-4-1106-preview_response"));
        Assert.Contains("gsm8k_responses.csv:2: 'He has 3 - 1 = 2 apples left.' is not an outcome", named.Message);
    }

    [Fact]
    public void Load_FileThatIsNotCsv_RefusedForWhatItIs()
    {
        using var dir = new TestDirectory();
        var file = dir.Write("judgements.jsonl", "{\"question_id\": 81, \"model\": \"gpt-4\", \"score\": 9}\n");

        var e = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file));

        Assert.Contains("judgements.jsonl: not a .csv file (expected RouteLLM's CSV", e.Message);
    }

    [Theory]
    [InlineData("prompt,weak,strong\na,yes,True\nb,True,True\n", "law.csv:2: 'yes' is not an outcome")]
    [InlineData("prompt,llama,mixtral,gpt-4\na,True,True,yes\nb,True,True,True\nc,False,True,True\n", "law.csv:2: 'yes' is not an outcome")]
    public void Load_BadCellInTheFirstRow_StillRefusedWithItsLine(string content, string message)
    {
        using var dir = new TestDirectory();
        var file = dir.Write("law.csv", content);

        var e = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(file));

        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Load_FolderWhoseFilesNameOtherModels_Refused()
    {
        using var dir = new TestDirectory();
        dir.Write("set/a.csv", "prompt,mixtral,gpt-4\nq1,True,True\n");
        dir.Write("set/b.csv", "prompt,llama,gpt-4\nq2,False,True\n");

        var e = Assert.Throws<InvalidDataException>(() => OutcomeDataset.Load(Path.Combine(dir.Path, "set")));

        Assert.Contains("b.csv: its models are 'llama' and 'gpt-4'", e.Message);
        Assert.Contains("'mixtral' and 'gpt-4'", e.Message);
    }
}

public class OutcomeEvaluationTests
{
    // Two routes whose prompts sit around their own centroid. Inside a route, which prompt the weak
    // model gets wrong is pure chance, so a prompt's few nearest neighbours say little; the route's
    // rate over all its training prompts says it all: "geometry" needs the strong model, "trivia" not.
    internal static (float[] Matrix, double[] Weak, double[] Strong, int[] Routes) TwoRoutes(int perRoute, int seed)
    {
        const int Dims = 8;
        var random = new Random(seed);
        int n = 2 * perRoute;
        var matrix = new float[n * Dims];
        var weak = new double[n];
        var strong = new double[n];
        var routes = new int[n];
        for (int i = 0; i < n; i++)
        {
            int route = i % 2;
            routes[i] = route;
            double norm = 0;
            for (int d = 0; d < Dims; d++)
            {
                double centre = d == route ? 1.0 : 0.0;
                double v = centre + (0.3 * ((random.NextDouble() * 2) - 1));
                matrix[(i * Dims) + d] = (float)v;
                norm += v * v;
            }

            for (int d = 0; d < Dims; d++)
            {
                matrix[(i * Dims) + d] /= (float)Math.Sqrt(norm);
            }

            strong[i] = random.NextDouble() < 0.9 ? 1 : 0;
            weak[i] = random.NextDouble() < (route == 0 ? 0.3 : 0.9) ? 1 : 0;
        }

        return (matrix, weak, strong, routes);
    }

    [Fact]
    public void Run_RouteRatesCarryTheSignal_ChoosesThemAndBeatsPerPromptNeighbours()
    {
        var (matrix, weak, strong, routes) = TwoRoutes(300, seed: 3);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 5, kValues: [3], alphaValues: [0], rhoValues: [0, 1], threads: 1, routes: routes);

        Assert.All(result.ChosenPerFold, c => Assert.Equal(1, c.Rho));
        Assert.True(result.Router.Apgr > result.KnnOnly.Apgr, $"router {result.Router.Apgr:F3} vs 3-NN {result.KnnOnly.Apgr:F3}");
        Assert.True(result.Router.Apgr > result.Random.Apgr + 0.2, $"router {result.Router.Apgr:F3} vs random {result.Random.Apgr:F3}");
        Assert.Equal(600, result.Prompts);
    }

    [Fact]
    public void Run_OneRoute_NeverWeighsTheRouteEstimate()
    {
        var (matrix, weak, strong, _) = TwoRoutes(100, seed: 5);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [5, 10], alphaValues: [0], threads: 1, innerFolds: 2);

        Assert.All(result.ChosenPerFold, c => Assert.Equal(0, c.Rho));
        // with two inner folds k is chosen on half the training prompts and scaled to the whole training set.
        Assert.All(result.ChosenPerFold, c => Assert.Contains(c.K, new[] { 10, 20 }));
    }

    [Fact]
    [Trait("Category", "Slow")] // minutes on 2 cores: ./test.sh --all
    public void Run_WordsCarryTheSignal_ChoosesTheTextModelAndBeatsTheNeighbours()
    {
        // Embeddings say nothing here (one blob); the word "proof" marks the prompts the weak model fails.
        var (matrix, _, strong, _) = TwoRoutes(200, seed: 7);
        var random = new Random(11);
        var texts = new string[matrix.Length / 8];
        var weak = new double[texts.Length];
        for (int i = 0; i < texts.Length; i++)
        {
            bool hard = random.NextDouble() < 0.4;
            texts[i] = hard ? $"give a proof of claim {i}" : $"name the colour of item {i}";
            weak[i] = !hard && random.NextDouble() < 0.95 ? 1 : 0;
        }

        var with = OutcomeEvaluation.Run(matrix, weak, strong, folds: 4, kValues: [10], alphaValues: [0], rhoValues: [0], threads: 1, texts: texts);
        var without = OutcomeEvaluation.Run(matrix, weak, strong, folds: 4, kValues: [10], alphaValues: [0], rhoValues: [0], threads: 1);

        Assert.All(with.ChosenPerFold, c => Assert.True(c.TextWeight > 0));
        Assert.All(without.ChosenPerFold, c => Assert.Equal(0, c.TextWeight));
        Assert.True(with.Router.Apgr > without.Router.Apgr + 0.2, $"with text {with.Router.Apgr:F3} vs without {without.Router.Apgr:F3}");
    }

    [Fact]
    public void Run_InnerFolds_ScaleTheChosenKToTheWholeTrainingSet()
    {
        var (matrix, weak, strong, _) = TwoRoutes(100, seed: 5);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [4], alphaValues: [0], threads: 1, innerFolds: 4);

        // each inner fold indexes 3/4 of the training prompts: k = 4 becomes round(4 · 4/3) = 5
        Assert.All(result.ChosenPerFold, c => Assert.Equal(5, c.K));
        Assert.Throws<ArgumentOutOfRangeException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, innerFolds: 1));
    }

    [Fact]
    public void Run_TextsOfTheWrongLength_Refused()
    {
        var (matrix, weak, strong, _) = TwoRoutes(10, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 2, texts: ["only one"]));
        Assert.Contains("one prompt text per prompt", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.PositiveInfinity)]
    public void Run_BadTemperature_Refused(double tau)
    {
        var (matrix, weak, strong, _) = TwoRoutes(10, seed: 1);
        Assert.Throws<ArgumentException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 2, temperatureValues: [0.1, tau]));
    }

    [Fact]
    public void Run_RouteHead_ScoresTheRoutePartFromARouteClassifier()
    {
        var (matrix, weak, strong, routes) = TwoRoutes(150, seed: 9);

        // ρ = 1: the score is the route part alone, so only where P(r|q) comes from differs.
        var vote = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0], rhoValues: [1], threads: 1, routes: routes);
        var head = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0], rhoValues: [1], threads: 1, routes: routes, routeHead: true);

        Assert.NotEqual(vote.Scores, head.Scores);
        Assert.True(head.Router.Apgr > head.Random.Apgr + 0.2, $"route head {head.Router.Apgr:F3} vs random {head.Random.Apgr:F3}");

        // With one route there is nothing to classify: the option changes nothing.
        var one = new int[routes.Length];
        Assert.Equal(
            OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0], threads: 1, routes: one).Scores,
            OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0], threads: 1, routes: one, routeHead: true).Scores);
    }

    [Fact]
    public void Run_EnsembleOfOne_IsTheBestConfiguration_AndAnEnsembleAveragesTheRunnersUp()
    {
        var (matrix, weak, strong, routes) = TwoRoutes(150, seed: 9);

        var byDefault = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [3, 10], alphaValues: [0, 0.5], rhoValues: [0, 1], threads: 1, routes: routes);
        var one = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [3, 10], alphaValues: [0, 0.5], rhoValues: [0, 1], threads: 1, routes: routes, ensemble: 1);
        var four = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [3, 10], alphaValues: [0, 0.5], rhoValues: [0, 1], threads: 1, routes: routes, ensemble: 4);

        Assert.Equal(byDefault.Scores, one.Scores);
        // The best configuration and the kNN-only baseline stay what they were; the scores become means.
        Assert.Equal(one.ChosenPerFold, four.ChosenPerFold);
        Assert.Equal(one.KnnOnly.Apgr, four.KnnOnly.Apgr);
        Assert.NotEqual(one.Scores, four.Scores);
        Assert.True(four.Router.Apgr > four.Random.Apgr + 0.2, $"ensemble {four.Router.Apgr:F3} vs random {four.Random.Apgr:F3}");
        Assert.Throws<ArgumentOutOfRangeException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, ensemble: 0));
    }

    [Fact]
    public void Run_ReportsEveryPromptsHeldOutScore_AndAnIntervalAroundTheFigure()
    {
        var (matrix, weak, strong, routes) = TwoRoutes(150, seed: 3);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0], rhoValues: [1], threads: 1, routes: routes);

        Assert.Equal(300, result.Scores.Count);
        // the route rates carry the signal: the weak model's hard route scores higher on average
        double Mean(int route) => Enumerable.Range(0, 300).Where(i => routes[i] == route).Average(i => result.Scores[i]);
        Assert.True(Mean(0) > Mean(1) + 0.3, $"hard route {Mean(0):F3} vs easy route {Mean(1):F3}");
        Assert.True(result.RouterIntervals.Apgr.Contains(result.Router.Apgr), $"{result.Router.Apgr} outside {result.RouterIntervals.Apgr}");
        Assert.True(result.RouterIntervals.Cpt50.Contains(result.Router.Cpt50), $"{result.Router.Cpt50} outside {result.RouterIntervals.Cpt50}");
    }

    // TwoRoutes with graded outcomes (a judge's score in [0, 1] rather than right or wrong): the weak
    // model scores about 0.3 on route 0 and 0.8 on route 1, the strong one about 0.85 on both.
    internal static (float[] Matrix, double[] Weak, double[] Strong, int[] Routes) GradedTwoRoutes(int perRoute, int seed)
    {
        var (matrix, weak, strong, routes) = TwoRoutes(perRoute, seed);
        var random = new Random(seed + 100);
        for (int i = 0; i < weak.Length; i++)
        {
            weak[i] = Math.Round((routes[i] == 0 ? 0.1 : 0.6) + (0.4 * random.NextDouble()), 2);
            strong[i] = Math.Round(0.7 + (0.3 * random.NextDouble()), 2);
        }

        return (matrix, weak, strong, routes);
    }

    [Fact]
    public void Run_GradedOutcomes_QualityIsTheMeanScore_AndTheRouteSignalIsFound()
    {
        var (matrix, weak, strong, routes) = GradedTwoRoutes(150, seed: 3);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [0, 1], rhoValues: [0, 1], threads: 1, routes: routes);

        Assert.Equal(weak.Average(), result.Router.WeakQuality, 12);
        Assert.Equal(strong.Average(), result.Router.StrongQuality, 12);
        // Knowing each prompt's route gives APGR 0.71 here (route 0 holds 0.55 / 0.60 of the gain); random about 0.5.
        Assert.True(result.Router.Apgr > 0.65 && result.Random.Apgr < 0.6, $"router {result.Router.Apgr:F3} vs random {result.Random.Apgr:F3}");
        double Mean(int route) => Enumerable.Range(0, weak.Length).Where(i => routes[i] == route).Average(i => result.Scores[i]);
        Assert.True(Mean(0) > Mean(1) + 0.3, $"weak model's bad route {Mean(0):F3} vs its good route {Mean(1):F3}");
    }

    [Fact]
    public void Run_GradedOutcomes_TheOutcomeHeadAloneEstimatesTheExpectedGain()
    {
        // Only the outcome head (α 1): trained on soft targets, its P(0,1) − P(1,0) is s − w in expectation,
        // about 0.85 − 0.3 on route 0 and 0.85 − 0.8 on route 1.
        var (matrix, weak, strong, routes) = GradedTwoRoutes(150, seed: 5);

        var result = OutcomeEvaluation.Run(matrix, weak, strong, folds: 3, kValues: [10], alphaValues: [1], rhoValues: [0], threads: 1, routes: routes);

        double Mean(int route) => Enumerable.Range(0, weak.Length).Where(i => routes[i] == route).Average(i => result.Scores[i]);
        Assert.InRange(Mean(0), 0.4, 0.7);
        Assert.InRange(Mean(1), -0.1, 0.2);
    }

    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Run_AnOutcomeOutsideZeroToOne_Refused(double bad)
    {
        var (matrix, weak, strong, _) = TwoRoutes(10, seed: 1);
        strong[3] = bad;

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 2));
        Assert.Contains("outcome 3 is", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a score in [0, 1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RoutesOfTheWrongLength_Refused()
    {
        var (matrix, weak, strong, _) = TwoRoutes(10, seed: 1);

        var e = Assert.Throws<ArgumentException>(() => OutcomeEvaluation.Run(matrix, weak, strong, folds: 2, routes: [0, 1]));
        Assert.Contains("one non-negative route index per prompt", e.Message, StringComparison.Ordinal);
    }
}
