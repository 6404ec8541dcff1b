using SemanticRouter.RouteHead;
using SemanticRouter.Tests;

namespace SemanticRouter.Core.Tests.RouteHead;

public class RouteHeadParametersTests
{
    [Fact]
    public void Written_WithTheVocabularyOfEverySettingsFile()
    {
        var json = new RouteHeadParameters { K = 20, Temperature = double.PositiveInfinity, RouteHeadWeight = 0.8 }.ToJson();

        Assert.Contains("\"temperature\": \"Infinity\"", json, StringComparison.Ordinal);
        Assert.Contains("\"route_head_weight\": 0.8", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"tau\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"alpha\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesWithTheOldKeys_StillLoad()
    {
        // router-params.json as `fit` wrote it before the one vocabulary.
        const string Old = """{"schema": "semantic-router/router-params/v1", "k": 20, "tau": "Infinity", "alpha": 0.8, "head_temperature": 1, "abstain_rule": "energy", "threshold": 7.341}""";

        var p = RouteHeadParameters.FromJson(Old);

        Assert.Equal((20, double.PositiveInfinity, 0.8, "energy", 7.341), (p.K, p.Temperature, p.RouteHeadWeight, p.AbstainRule, p.Threshold));
        Assert.Equal(p.ToJson(), RouteHeadParameters.FromJson(p.ToJson()).ToJson());
    }

    [Fact]
    public void AnOldAndANewKeyForOneSetting_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => RouteHeadParameters.FromJson("""{"tau": 0.1, "temperature": 0.2}"""));
        Assert.Contains("'tau'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_KeepTheFileAsGiven_ForTheArtefactAndTheIndexVersion()
    {
        using var dir = new TestDirectory();
        const string Old = """{"schema": "semantic-router/router-params/v1", "k": 5, "tau": 0.05, "alpha": 0.7}""";
        var path = dir.Write("router-params.json", Old);

        var settings = RouteHeadSettings.Load(path);

        Assert.Equal(Old, settings.ParametersJson);
        Assert.NotEqual(settings.Fingerprint, new RouteHeadSettings(settings.Parameters, []).Fingerprint);
        Assert.Equal(settings.Fingerprint, RouteHeadSettings.Load(path).Fingerprint);
    }

    [Fact]
    public void Write_IsAtomic_AndReadsBack()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, RouteHeadParameters.DefaultFileName);
        var p = new RouteHeadParameters { K = 7, HeadL2 = 1e-3 };

        p.Write(path);

        Assert.Equal(p.ToJson(), File.ReadAllText(path));
        Assert.Equal(p.K, RouteHeadParameters.Read(path).K);
        Assert.Equal([RouteHeadParameters.DefaultFileName], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }
}
