using System.CommandLine;
using System.Globalization;
using SemanticRouter.Evaluation;

namespace SemanticRouter.Cli.Commands;

/// <summary>`--grid KEY=V1,V2;…`: the served settings `eval --served --choose` and `fit --outcomes` choose among.</summary>
internal static class GridFlag
{
    /// <summary>`--grid`, shared by `eval --served --choose` and `fit --outcomes`.</summary>
    public static Option<string?> Create(string scope, ServedSettingsGrid defaults) => new("--grid")
    {
        Description = $"{scope}: the values to choose among, replacing the default lists named ({Spec(defaults)}).",
        HelpName = "KEY=V1,V2;…",
    };

    /// <summary>A grid written as a --grid value.</summary>
    public static string Spec(ServedSettingsGrid d)
    {
        static string List<T>(IEnumerable<T> values) => string.Join(',', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
        return $"k={List(d.K)};temperature={List(d.Temperature)};utterance_smoothing={List(d.UtteranceSmoothing)};text_model_weight={List(d.TextModelWeight)};route_head_weight={List(d.RouteHeadWeight)}";
    }

    /// <summary>The grid to choose the served settings from: <paramref name="defaults"/>, with --grid's lists, and λ_t 0 only without the text model.</summary>
    public static ServedSettingsGrid Grid(string? spec, bool textModel, ServedSettingsGrid defaults)
    {
        ServedSettingsGrid grid;
        try
        {
            grid = spec is null ? defaults : ServedSettingsGrid.Parse(spec, defaults);
        }
        catch (FormatException e)
        {
            throw new CliException($"--grid: {e.Message}", ExitCodes.BadInput);
        }

        return textModel ? grid : grid with { TextModelWeight = [0] };
    }
}
