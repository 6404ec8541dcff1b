using SemanticRouter.Embeddings;

namespace SemanticRouter.Core.Tests.Embeddings;

/// <summary>
/// A cancelled embedding call stops inside its work (issue 27 item 2): between runs, and the run
/// in flight through ONNX Runtime's terminate flag. The cancellation is triggered at a known point
/// of the work (after the first run, or before the only one), never after a delay.
/// </summary>
public class SentenceEncoderCancellationTests(EncoderFixture fixture) : IClassFixture<EncoderFixture>
{
    private static readonly string[] Texts = [.. Enumerable.Range(0, 5 * SentenceEncoderOptions.DefaultBatchSize).Select(i => $"query number {i} about nothing in particular")];

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Callback(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    [Fact]
    public void Embed_CancelledAfterTheFirstRun_StartsNoFurtherRun()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<int>();
        var progress = new Callback(done =>
        {
            reports.Add(done);
            cts.Cancel();
        });

        Assert.Throws<OperationCanceledException>(() => fixture.Encoder.Embed(Texts, new float[Texts.Length * 384], progress, cts.Token));
        Assert.Equal([SentenceEncoderOptions.DefaultBatchSize], reports);
    }

    [Fact]
    public void Embed_TokenAlreadyCancelled_TheRunIsTerminatedAndReportedAsCancellation()
    {
        // Embed checks the token only after a run, so this one run starts with its terminate flag
        // already set: ONNX Runtime must refuse it, and the encoder must say "cancelled", not "failed".
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var reports = new List<int>();
        var e = Assert.Throws<OperationCanceledException>(() => fixture.Encoder.Embed(Texts[..4], new float[4 * 384], new Callback(reports.Add), cts.Token));
        Assert.Equal(cts.Token, e.CancellationToken);
        Assert.Empty(reports);
    }

    [Fact]
    public void Embed_CancelledToken_LeavesOtherCallsAlone()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => fixture.Encoder.Embed(Texts[..2], new float[2 * 384], null, cts.Token));

        // The terminate flag belonged to that call's own run options: the shared ones still run.
        float[] after = new float[2 * 384];
        fixture.Encoder.Embed(Texts[..2], after, null, CancellationToken.None);
        Assert.Equal(fixture.Encoder.Embed(Texts[0]), after[..384]);
    }

    [Fact]
    public void Embed_ProgressCountsEveryText()
    {
        var reports = new List<int>();
        fixture.Encoder.Embed(Texts, new float[Texts.Length * 384], new Callback(reports.Add), CancellationToken.None);
        Assert.Equal([32, 64, 96, 128, 160], reports);
    }

    [Fact]
    public async Task GenerateAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ((Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>)fixture.Encoder).GenerateAsync(Texts, cancellationToken: cts.Token));
    }
}
