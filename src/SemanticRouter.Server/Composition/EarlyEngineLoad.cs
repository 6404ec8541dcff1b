using SemanticRouter.Embeddings;
using SemanticRouter.Server.Hosting;
using SemanticRouter.Startup;

namespace SemanticRouter.Server.Composition;

/// <summary>
/// The index and model load of `serve`, begun on a pool thread as soon as its settings are read, while the main
/// thread builds the host (about 0.35 s of JIT and wiring that the load used to wait for: hosted services start only
/// once the host is built). <see cref="EngineStack.Open"/> takes it when the host starts; its errors surface there,
/// exactly as a load begun there would raise them. Whoever began it disposes it: an untaken load's encoder is disposed
/// (after the load finishes), a taken one belongs to the engine.
/// </summary>
internal sealed class EarlyEngineLoad : IDisposable
{
    private readonly Task<LoadedRouter> _load;
    private readonly (string Index, string? Model, int? Threads, IntraOpSpinning? Spinning) _settings;
    private int _taken;

    private EarlyEngineLoad(EngineHostOptions engine)
    {
        _settings = SettingsOf(engine);
        _load = Task.Run(() => EngineStack.Load(engine));
    }

    /// <summary>Begins loading the index and model <paramref name="engine"/> names.</summary>
    public static EarlyEngineLoad Begin(EngineHostOptions engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new EarlyEngineLoad(engine);
    }

    /// <summary>Whether this load is what <paramref name="engine"/> would load (its index, model folder, threads and spinning).</summary>
    public bool IsFor(EngineHostOptions engine) => SettingsOf(engine) == _settings;

    /// <summary>Waits for the load and hands it over (once): its encoder is the caller's to dispose.</summary>
    /// <exception cref="RouterStartupException">The index or model cannot be opened, or the model is not the index's.</exception>
    public LoadedRouter Take()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            throw new InvalidOperationException("The early load has been taken or disposed.");
        }

        return _load.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            return;
        }

        // Wait even for a load nobody wants: its ONNX Runtime session must not outlive the host that began it.
        try
        {
            _load.Wait();
        }
        catch (AggregateException)
        {
            // A failed load holds nothing; its error was either reported through Take or is moot (the host failed first).
        }

        if (_load.IsCompletedSuccessfully)
        {
            _load.Result.Encoder.Dispose();
        }
    }

    private static (string, string?, int?, IntraOpSpinning?) SettingsOf(EngineHostOptions engine) => (engine.Index, engine.ModelDirectory, engine.IntraOpThreads, engine.Spinning);
}
