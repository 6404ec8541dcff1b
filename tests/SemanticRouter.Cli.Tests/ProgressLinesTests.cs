using System.Diagnostics;
using SemanticRouter.Cli.Tests.Commands;
using SemanticRouter.Tests;

namespace SemanticRouter.Cli.Tests;

/// <summary>
/// Long commands print progress lines when stderr is not a terminal (issue 31: a build redirected to a file
/// printed nothing until it finished; folds and training steps were silent for minutes).
/// </summary>
public sealed class ProgressLinesTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [Fact]
    public void AfterAnIntervalOfSilence_SaysWhichStepRunsAndForHowLong()
    {
        var output = new StringWriter();
        using var lines = new ProgressLines(output, "eval", TimeSpan.FromDays(1)); // no timer tick during the test: the test's clock drives it
        lines.WriteLine("eval: fold 2/5: training the route head on 12000 utterances");
        long start = Stopwatch.GetTimestamp();

        lines.Tick(start + Stopwatch.Frequency); // a second: quiet
        Assert.Equal(["eval: fold 2/5: training the route head on 12000 utterances"], Lines(output));

        lines.Tick(start + (long)(Stopwatch.Frequency * TimeSpan.FromDays(1).TotalSeconds) + Stopwatch.Frequency);
        var all = Lines(output);
        Assert.Equal(2, all.Length);
        Assert.Matches(@"^eval: still at ""fold 2/5: training the route head on 12000 utterances"", \d+ s$", all[1]);
    }

    [Fact]
    public void ACountedStep_IsReportedWithItsCountAndShare()
    {
        var output = new StringWriter();
        using var lines = new ProgressLines(output, "build", TimeSpan.FromDays(1));
        ProgressLines.Count(lines, "embedding", 1200, 4800);
        long later = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * TimeSpan.FromDays(1).TotalSeconds) + Stopwatch.Frequency;

        lines.Tick(later);

        Assert.Matches(@"^build: embedding 1200/4800 \(25 %\), \d+ s$", Assert.Single(Lines(output)));
    }

    [Fact]
    public void NothingWritten_NothingReported()
    {
        var output = new StringWriter();
        using var lines = new ProgressLines(output, "fit", TimeSpan.FromDays(1));

        lines.Tick(Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * TimeSpan.FromDays(2).TotalSeconds));

        Assert.Empty(output.ToString());
    }

    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The commands report their counted steps through the same lines (the interval set to zero: a line per report).</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class ProgressLinesCommandTests : IDisposable
{
    private readonly TimeSpan _saved = ProgressLines.Interval;
    private readonly TestDirectory _dir = new();

    public ProgressLinesCommandTests() => ProgressLines.Interval = TimeSpan.Zero;

    public void Dispose()
    {
        ProgressLines.Interval = _saved;
        _dir.Dispose();
    }

    [Fact]
    public void BuildWithStderrRedirected_PrintsTheEmbeddingAndIndexingCounts()
    {
        var routes = _dir.CopyExampleRoutes();
        // The example routes' count, not a constant: README's `routes add` example edits them in place.
        var utterances = SemanticRouter.Routes.RouteCatalog.Load(routes).UtteranceCount;
        var result = CliRunner.Run("build", "--routes", routes, "--out", Path.Combine(_dir.Path, "index"), "--model", SharedPaths.MiniLmModel);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Matches($@"(?m)^build: embedding \d+/{utterances} \(\d+ %\), \d+ s$", result.Stderr);
        Assert.Matches($@"(?m)^build: embedding {utterances}/{utterances} \(100 %\), \d+ s$", result.Stderr);
        Assert.Matches(@"(?m)^build: indexing \d+/\d+ \(\d+ %\), \d+ s$", result.Stderr);
    }
}
