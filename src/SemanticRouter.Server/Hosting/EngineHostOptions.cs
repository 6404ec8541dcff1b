namespace SemanticRouter.Server.Hosting;

/// <summary>
/// What the host builds the engine from (the index, the model, the outcome store) and how it feeds the
/// encoder (micro-batching, the query embedding cache, ONNX Runtime threads). Bound from the section
/// <see cref="SettingNames.Section"/> beside <see cref="RouterServerOptions"/>; each has a `serve` flag.
/// </summary>
public sealed class EngineHostOptions
{
    /// <summary>The default of <see cref="Index"/>, relative to the working directory.</summary>
    public const string DefaultIndex = "embeddings/index";

    /// <summary>The index artefact directory (`serve --index`).</summary>
    public string Index { get; set; } = DefaultIndex;

    /// <summary>The model folder (`serve --model`); null = the one the index manifest records. Its sha256 must match.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>The SQLite outcome store (`serve --db`); null = <c>&lt;index&gt;.outcomes.db</c> beside the artefact.</summary>
    public string? OutcomeDatabase { get; set; }

    /// <summary>
    /// The Redis outcome store replicas share (`serve --redis`): a StackExchange.Redis configuration string,
    /// e.g. <c>redis:6379</c> or <c>redis:6379,password=…</c>; null = the SQLite store (<see cref="OutcomeDatabase"/>).
    /// A secret (it may hold a password): never logged; prefer <see cref="OutcomeRedisFile"/> or the environment.
    /// </summary>
    public string? OutcomeRedis { get; set; }

    /// <summary>A file holding <see cref="OutcomeRedis"/> (a mounted secret); its trailing new line is ignored.</summary>
    public string? OutcomeRedisFile { get; set; }

    /// <summary>Prefix of the Redis keys; replicas that share outcomes use the same one.</summary>
    public string OutcomeRedisKeyPrefix { get; set; } = "semantic-router";

    /// <summary>How often, in milliseconds, a replica reads the outcomes others recorded (the propagation bound); 10..5000.</summary>
    public int OutcomeRedisPollMs { get; set; } = 100;

    /// <summary>
    /// Index roll-out: every this many seconds, reload the index when the version published in <see cref="Index"/>
    /// changed (<see cref="IndexRollout"/>); 0 = off (reload with ReloadIndex). 0 or 0.1..3600.
    /// </summary>
    public double IndexWatchSeconds { get; set; }

    /// <summary>
    /// The text outcome model is refitted on at most this many of the newest outcomes with text (null = the engine's
    /// default, 200,000): what bounds the memory a refit takes, which grows with the outcomes and their texts it reads
    /// (docs/deploy.md, "Sizing"). 1..10,000,000.
    /// </summary>
    public int? TextModelMaxOutcomes { get; set; }

    /// <summary>
    /// ... and on at most this many characters of their texts together, the newest that fit (null = the engine's default,
    /// 64,000,000, about 128 MB of strings): the count alone does not bound a refit's memory when texts are long.
    /// 1,000,000..10,000,000,000.
    /// </summary>
    public long? TextModelMaxTextChars { get; set; }

    /// <summary>Query embeddings kept in memory (`serve --cache`); 0 = no cache.</summary>
    public int EmbeddingCacheSize { get; set; } = 4096;

    /// <summary>Longest wait, in milliseconds, to gather concurrent queries into one model run (`serve --batch-wait-ms`); 0..50.</summary>
    public double BatchWaitMs { get; set; } = 2;

    /// <summary>ONNX Runtime threads per model run (`serve --intra-op-threads`); null = the cores the process may use (the encoder's default).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>
    /// How ONNX Runtime's threads wait between a run's parallel sections (`serve --intra-op-spinning`): <c>never</c>,
    /// <c>during-run</c> or <c>always</c>; null = the encoder's default, never (docs/encoder.md#threads-and-spinning:
    /// spinning saves an OS wake-up per section on an idle machine and costs a core's worth when the machine is busy).
    /// </summary>
    public string? IntraOpSpinning { get; set; }

    /// <summary><see cref="IntraOpSpinning"/> read (null when unset or not one of the three).</summary>
    internal Embeddings.IntraOpSpinning? Spinning => IntraOpSpinning?.Trim().ToLowerInvariant() switch
    {
        "never" => Embeddings.IntraOpSpinning.Never,
        "during-run" or "duringrun" => Embeddings.IntraOpSpinning.DuringRun,
        "always" => Embeddings.IntraOpSpinning.Always,
        _ => null,
    };
}
