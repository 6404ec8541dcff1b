using SemanticRouter.Outcomes;
using SemanticRouter.Ranking;

namespace SemanticRouter.Engine;

/// <summary>
/// Keeps a <see cref="TextOutcomeModel"/> fitted on the outcome store's text outcomes: once at start-up
/// and again, in the background, whenever the store holds <see cref="RefitGrowth"/> more of them than
/// the serving model saw (at least <see cref="RefitMinimum"/>). The model is derived data: the store is
/// the record, so nothing is lost when a refit is cut short by shutdown — the next start refits.
/// </summary>
internal sealed class TextModelTrainer : IDisposable
{
    /// <summary>Fewest new text outcomes that trigger a refit.</summary>
    public const int RefitMinimum = 100;

    /// <summary>Growth, as a fraction of what the serving model was fitted on, that triggers a refit.</summary>
    public const double RefitGrowth = 0.1;

    private readonly IOutcomeStore _store;
    private readonly TextOutcomeModelOptions _options;
    private readonly int _maxOutcomes;
    private readonly long _maxTextChars;
    private readonly Action<TextModelFit>? _fitted;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TextOutcomeModel? _model;
    private long _fittedCount;
    private Task _running = Task.CompletedTask;
    private bool _active;
    private bool _again;

    public TextModelTrainer(IOutcomeStore store, TextOutcomeModelOptions options, int maxOutcomes, long maxTextChars, Action<TextModelFit>? fitted = null)
    {
        _store = store;
        _options = options;
        _maxOutcomes = maxOutcomes;
        _maxTextChars = maxTextChars;
        _fitted = fitted;
    }

    /// <summary>The model now serving (null until the first fit finds a model with enough outcomes).</summary>
    public TextOutcomeModel? Model => Volatile.Read(ref _model);

    /// <summary>Starts a background refit when the store has grown enough since the last one began.</summary>
    public void RefitIfGrown()
    {
        var fitted = Interlocked.Read(ref _fittedCount);
        if (_store.TextCount - fitted >= Math.Max(RefitMinimum, fitted * RefitGrowth))
        {
            _ = RefitAsync();
        }
    }

    /// <summary>Refits now (after a refit already running, which then runs once more) and swaps the result in.</summary>
    public Task RefitAsync()
    {
        lock (_gate)
        {
            if (_active)
            {
                _again = true;
                return _running;
            }

            _active = true;
            _running = Task.Run(LoopAsync);
            return _running;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // a cancelled or failed refit: the store still has every outcome
        }

        _stopping.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();

                // Counted as fitted from the start: outcomes arriving during this fit are measured against
                // it, so a burst of them does not queue a second refit the moment this one ends.
                Interlocked.Exchange(ref _fittedCount, _store.TextCount);
                // From the serving model's weights: the same optimum (the loss is convex), fewer iterations.
                var outcomes = await _store.ReadTextOutcomesAsync(_maxOutcomes, _maxTextChars, _stopping.Token).ConfigureAwait(false);
                var fresh = TextOutcomeModel.Fit(outcomes, _options, Volatile.Read(ref _model), _stopping.Token);
                Volatile.Write(ref _model, fresh.Models.Count > 0 ? fresh : null);
                if (fresh.Models.Count > 0)
                {
                    _fitted?.Invoke(new TextModelFit(fresh.OutcomeCount, fresh.Models.Count, clock.Elapsed));
                }

                lock (_gate)
                {
                    if (!_again)
                    {
                        _active = false;
                        return;
                    }

                    _again = false;
                }
            }
        }
        catch (Exception e)
        {
            // Cancelled by shutdown, or the store could not be read: the serving model stays, and a
            // later trigger may try again (a refit that stayed "active" would block every later one).
            lock (_gate)
            {
                _active = false;
            }

            if (e is not OperationCanceledException)
            {
                throw;
            }
        }
    }
}
