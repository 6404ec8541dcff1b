using SemanticRouter.Ranking;
using SemanticRouter.Settings;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.Settings;

public class RankingSettingsFileTests
{
    [Fact]
    public void WrittenSettings_ReadBack_SetTheSameOptions()
    {
        using var dir = new TestDirectory();
        var chosen = new RankingOptions { K = 125, Temperature = 0.5, UtteranceSmoothingStrength = 1, RouteSmoothingStrength = 7, TextModelWeight = 0.35, RouteHeadWeight = 0.5 };
        var path = Path.Combine(dir.Path, RankingSettingsFile.DefaultFileName);

        RankingSettingsFile.From(chosen, "a test", new() { ["apgr"] = 0.7 }).Write(path);
        var read = RankingSettingsFile.Read(path);
        var applied = new RankingOptions();
        read.ApplyTo(applied);

        Assert.Equal((125, 0.5, 1.0, 7.0, 0.35, 0.5), (applied.K, applied.Temperature, applied.UtteranceSmoothingStrength, applied.RouteSmoothingStrength, applied.TextModelWeight, applied.RouteHeadWeight));
        Assert.Equal(0.5, read.RouteHeadWeight);
        Assert.Equal("a test", read.FittedOn);
        Assert.Equal(0.7, read.FitMetrics!["apgr"]);
        // Written through a temporary file that is gone afterwards.
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void SettingsTheFileLeavesOut_KeepTheirDefaults_AndAbsentSchemaIsAccepted()
    {
        var file = RankingSettingsFile.FromJson("""{"temperature": 0.2}""");
        var options = new RankingOptions { UtteranceSmoothingStrength = 9 };

        file.ApplyTo(options);

        Assert.Equal(0.2, options.Temperature);
        Assert.Equal(new RankingOptions().K, options.K);
        Assert.Equal(9, options.UtteranceSmoothingStrength);
        Assert.Equal(RankingOptions.DefaultTextModelWeight, options.TextModelWeight);
        Assert.Null(file.RouteHeadWeight); // absent: a fitted route head keeps its own blend
    }

    [Fact]
    public void RouteHeadWeightZero_IsWritten_SoAHeadDoesNotOverrideTheFilesKAndTau()
    {
        var file = RankingSettingsFile.FromJson(RankingSettingsFile.From(new RankingOptions { K = 100, Temperature = 0.2 }).ToJson());

        Assert.Equal(0, file.RouteHeadWeight);
    }

    [Theory]
    [InlineData("""{"temprature": 0.2}""", "temprature")]
    [InlineData("""{"schema": "semantic-router/router-params/v1", "k": 5}""", "schema 'semantic-router/router-params/v1' is not 'semantic-router/ranking-options/v1'")]
    [InlineData("""{"k": 0}""", "k 0: K must be in [1, 1000].")]
    [InlineData("""{"temperature": -1}""", "temperature -1: Temperature must be positive and finite.")]
    [InlineData("""{"text_model_weight": 1}""", "text_model_weight 1: TextModelWeight must be in [0, 1).")]
    [InlineData("""{"route_head_weight": 2}""", "route_head_weight 2: RouteHeadWeight must be in [0, 1].")]
    [InlineData("""{"k": "many"}""", "$.k")]
    [InlineData("null", "empty ranking options")]
    [InlineData("{", "")]
    public void BadFiles_AreRefusedWhenRead_WithTheKeyNamed(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => RankingSettingsFile.FromJson(json));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NamesTheFile()
    {
        using var dir = new TestDirectory();
        var path = dir.Write("bad.json", """{"k": -3}""");

        var e = Assert.Throws<InvalidDataException>(() => RankingSettingsFile.Read(path));

        Assert.StartsWith($"{path}: k -3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CostQualitySettings_RoundTrip_WithTheQualityHeadExactly()
    {
        using var dir = new TestDirectory();
        var rng = new Random(5);
        const int n = 40, dims = 8, models = 3;
        var rows = new float[n * dims];
        var outcomes = new double[n * models];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)rng.NextDouble();
        }

        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = rng.Next(2);
        }

        var head = RidgeQualityHead.Fit(rows, dims, outcomes, models, 10);
        var path = Path.Combine(dir.Path, RankingSettingsFile.DefaultFileName);
        new RankingSettingsFile
        {
            K = 40, Temperature = 0.05, UtteranceSmoothing = 0, QualityHeadWeight = 0.5, QualityHead = head.ToFile(["a", "b", "c"], 10),
            LeftOutModels = ["b"], LongInput = "head-tail",
        }.Write(path);

        var read = RankingSettingsFile.Read(path);
        var options = read.ToOptions();
        Assert.Equal(0.5, options.QualityHeadWeight);
        Assert.Equal(["b"], options.LeftOutModels);
        Assert.Equal(SemanticRouter.Embeddings.LongInputPolicy.HeadTail, read.LongInputPolicy);
        var again = RidgeQualityHead.FromFile(read.QualityHead!);
        Span<double> p = stackalloc double[models], q = stackalloc double[models];
        head.Predict(rows.AsSpan(0, dims), p);
        again.Predict(rows.AsSpan(0, dims), q);
        Assert.True(p.SequenceEqual(q)); // the served head predicts the evaluated head's numbers, bit for bit
        Assert.True(RankingSettingsFile.SameSettings(read, RankingSettingsFile.Read(path)));
        Assert.False(RankingSettingsFile.SameSettings(read, read with { LeftOutModels = null }));
    }

    [Theory]
    [InlineData("{\"quality_head_weight\": 0.5}", "quality_head_weight is above 0 but the file has no quality_head")]
    [InlineData("{\"long_input\": \"middle\"}", "long_input must be 'head' or 'head-tail'")]
    [InlineData("{\"quality_head\": {\"models\": [\"a\"], \"mean\": [0, 0], \"intercepts\": [0.5], \"weights\": [[1]]}}", "quality_head: 1 models need")]
    public void BadCostQualitySettings_AreRefusedWhenRead(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => RankingSettingsFile.FromJson(json));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
