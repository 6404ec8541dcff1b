using System.Globalization;
using SemanticRouter.Routes;
using StackExchange.Redis;

namespace SemanticRouter.Outcomes.Redis;

/// <summary>
/// The <see cref="IOutcomeStore"/> that replicas share: every outcome is an entry of one Redis stream, and each
/// replica keeps its own live statistics in memory by reading that stream.
/// </summary>
/// <remarks>
/// <para>Layout (prefix <c>P</c>): <c>P:outcomes</c>, a stream whose entries carry the store's id (<c>P:seq</c>,
/// a counter) and the outcome (<see cref="RedisOutcomeCodec"/>); <c>P:idem:&lt;key&gt;</c>, the stream entry
/// first recorded under an idempotency key. One Lua script records a call: it looks each key up and appends
/// only the outcomes not recorded before, atomically, so two replicas that receive the same report at once
/// count it once.</para>
/// <para>Durability: Redis answers a write after its AOF is fsynced when it runs with <c>appendonly yes</c> and
/// <c>appendfsync always</c>; <see cref="RedisOutcomeStoreOptions.RequireDurableWrites"/> refuses to start
/// otherwise. So an acknowledged outcome survives a restart of Redis and of any replica.</para>
/// <para>Sharing: a replica applies its own outcomes when Redis acknowledges them, and every
/// <see cref="RedisOutcomeStoreOptions.PollInterval"/> reads the entries after the last one it applied (its own
/// are skipped): an outcome recorded at one replica reaches the others' rankings within one interval and one
/// round trip. When Redis is unreachable, recording fails at once with <see cref="OutcomeStoreUnavailableException"/>
/// (UNAVAILABLE, nothing stored), rankings go on from the statistics in memory, and the next successful read
/// catches up from where it stopped.</para>
/// </remarks>
public sealed class RedisOutcomeStore : IOutcomeStore
{
    private const int ReadBatch = 1000;

    // KEYS[1] stream, KEYS[2] counter; ARGV[1] idempotency key prefix, then (key or "", value) per outcome.
    // Returns per outcome {1, entry id, store id} when appended, {0, entry id} when its key was recorded before.
    private const string RecordScript = """
        local out = {}
        local n = (#ARGV - 1) / 2
        for i = 1, n do
          local key = ARGV[2 * i]
          local first = false
          if key ~= '' then first = redis.call('GET', ARGV[1] .. key) end
          if first then
            out[i] = {0, first}
          else
            local id = redis.call('INCR', KEYS[2])
            local entry = redis.call('XADD', KEYS[1], '*', 'id', id, 'v', ARGV[2 * i + 1])
            if key ~= '' then redis.call('SET', ARGV[1] .. key, entry) end
            out[i] = {1, entry, id}
          end
        end
        return out
        """;

    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly RedisKey _stream;
    private readonly RedisKey _sequence;
    private readonly string _keyPrefix;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly Lock _applyGate = new();          // guards _lastApplied and _appliedAhead
    private StreamPosition _lastApplied = StreamPosition.Start;
    private readonly HashSet<StreamPosition> _appliedAhead = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _polling = Task.CompletedTask;
    private long _count;
    private long _textCount;
    private int _disposed;

    private RedisOutcomeStore(ConnectionMultiplexer redis, RedisOutcomeStoreOptions options, TimeProvider? time)
    {
        _redis = redis;
        _db = redis.GetDatabase();
        _stream = options.KeyPrefix + ":outcomes";
        _sequence = options.KeyPrefix + ":seq";
        _keyPrefix = options.KeyPrefix + ":idem:";
        _pollInterval = options.PollInterval;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The live statistics, fed by this replica's outcomes and every other replica's.</summary>
    public OutcomeStatistics Statistics { get; } = new();

    /// <inheritdoc/>
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc/>
    public long TextCount => Interlocked.Read(ref _textCount);

    /// <summary>Whether the last read of the shared outcomes succeeded (false while Redis is unreachable).</summary>
    public bool IsCaughtUp { get; private set; }

    /// <summary>When the shared outcomes were last read successfully.</summary>
    public DateTimeOffset? LastCaughtUp { get; private set; }

    /// <summary>
    /// Connects, checks that Redis fsyncs before it answers, reads every outcome recorded so far into the
    /// statistics, and starts following the stream.
    /// </summary>
    /// <exception cref="OutcomeStoreUnavailableException">Redis cannot be reached, or does not keep writes durably (one line; no secret).</exception>
    public static RedisOutcomeStore Open(RedisOutcomeStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyPrefix);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PollInterval, TimeSpan.Zero);
        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(options.Configuration);
        }
        catch (ArgumentException e)
        {
            throw new OutcomeStoreUnavailableException("The Redis configuration string is not valid (its text is not shown: it may hold a password).", e);
        }

        // Fail fast while Redis is down (UNAVAILABLE at once, not after a queueing timeout); reconnect by itself.
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = (int)options.ConnectTimeout.TotalMilliseconds;
        config.AllowAdmin = true; // CONFIG GET, for the durability check only
        string where = string.Join(", ", config.EndPoints.Select(e => e.ToString()));
        var redis = ConnectionMultiplexer.Connect(config);
        try
        {
            if (!redis.IsConnected)
            {
                throw new OutcomeStoreUnavailableException($"Cannot reach Redis at {where} within {options.ConnectTimeout.TotalSeconds:0.#} s.");
            }

            if (options.RequireDurableWrites && NotDurable(redis) is { } why)
            {
                throw new OutcomeStoreUnavailableException(
                    $"Redis at {where} {why}: an acknowledged outcome would not survive a Redis restart. Run it with appendonly yes and appendfsync always (docs/deploy.md).");
            }

            var store = new RedisOutcomeStore(redis, options, time);
            try
            {
                store.CatchUpAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (RedisException e)
            {
                throw new OutcomeStoreUnavailableException($"Cannot read the outcomes from Redis at {where}: {e.GetType().Name}.", e);
            }

            store._polling = Task.Run(store.FollowAsync);
            return store;
        }
        catch
        {
            redis.Dispose();
            throw;
        }
    }

    public SuccessCounts ForUtterance(UtteranceKey utterance, string model) => Statistics.ForUtterance(utterance, model);

    public SuccessCounts ForRoute(string route, string model) => Statistics.ForRoute(route, model);

    /// <inheritdoc/>
    public IReadOnlyList<RouteModelCounts> RouteCounts() => Statistics.RouteCounts();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredOutcome>> RecordAsync(IReadOnlyList<CreditedOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var (outcome, credits) in outcomes)
        {
            outcome.Validate();
            ArgumentNullException.ThrowIfNull(credits);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var now = _time.GetUtcNow();
        var args = new RedisValue[1 + (2 * outcomes.Count)];
        args[0] = _keyPrefix;
        var pending = new (Outcome Outcome, OutcomeCredits Credits, DateTimeOffset Time, string? Text, string? Key)[outcomes.Count];
        for (var i = 0; i < outcomes.Count; i++)
        {
            var (outcome, credits) = outcomes[i];
            var time = outcome.Time ?? now;
            var text = outcome.QueryText ?? credits.QueryText;
            var key = outcome.EffectiveIdempotencyKey;
            pending[i] = (outcome, credits, time, text, key);
            args[1 + (2 * i)] = key ?? string.Empty;
            args[2 + (2 * i)] = RedisOutcomeCodec.Encode(time, outcome.RequestId, text, outcome.Model, outcome.Score, key, outcome.CostUsd, credits);
        }

        RedisResult[] results;
        try
        {
            // Once sent, the script runs whether or not the caller waits: a cancelled call may still be recorded,
            // and a retry with the same idempotency key then replays it.
            var reply = await _db.ScriptEvaluateAsync(RecordScript, [_stream, _sequence], args).WaitAsync(cancellationToken).ConfigureAwait(false);
            results = (RedisResult[])reply!;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(e);
        }

        var stored = new StoredOutcome[outcomes.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var result = (RedisResult[])results[i]!;
            var entry = (string)result[1]!;
            if ((long)result[0] == 0)
            {
                stored[i] = await ReadEntryAsync(entry, cancellationToken).ConfigureAwait(false)
                    ?? throw new OutcomeStoreUnavailableException("Redis names a first outcome for this idempotency key that its stream no longer has.");
                continue;
            }

            var (outcome, credits, time, text, key) = pending[i];
            var s = new StoredOutcome((long)result[2], time, outcome.RequestId, text, outcome.Model, outcome.Score, credits)
            {
                IdempotencyKey = key,
                CostUsd = outcome.CostUsd,
            };
            ApplyOwn(ParsePosition(entry), s);
            stored[i] = s;
        }

        return stored;
    }

    /// <inheritdoc/>
    public async Task<StoredOutcome?> FindAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        try
        {
            var entry = await _db.StringGetAsync(_keyPrefix + idempotencyKey).WaitAsync(cancellationToken).ConfigureAwait(false);
            return entry.IsNull ? null : await ReadEntryAsync(entry!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(e);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TextOutcome>> ReadTextOutcomesAsync(int newest, long maxTextChars, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newest);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTextChars);
        var found = new List<TextOutcome>();
        RedisValue max = "+";
        long chars = 0;
        var full = false; // the text budget is spent: nothing older is read
        try
        {
            while (found.Count < newest && !full)
            {
                var entries = await _db.StreamRangeAsync(_stream, "-", max, ReadBatch, Order.Descending).WaitAsync(cancellationToken).ConfigureAwait(false);
                foreach (var e in entries)
                {
                    var o = Decode(e);
                    if (o.QueryText is { } text && found.Count < newest && !full)
                    {
                        chars += text.Length;
                        full = chars > maxTextChars;
                        if (!full)
                        {
                            found.Add(new TextOutcome(text, o.Model, o.Score));
                        }
                    }
                }

                if (entries.Length < ReadBatch)
                {
                    break;
                }

                max = "(" + entries[^1].Id;
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(e);
        }

        found.Reverse(); // oldest first
        return found;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        try
        {
            _polling.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
        _redis.Dispose();
    }

    /// <summary>Reads the stream past the last entry applied, until it is drained.</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            RedisValue after;
            lock (_applyGate)
            {
                after = _lastApplied == StreamPosition.Start ? "-" : "(" + _lastApplied;
            }

            var entries = await _db.StreamRangeAsync(_stream, after, "+", ReadBatch).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var e in entries)
            {
                ApplyShared(ParsePosition(e.Id!), Decode(e));
            }

            IsCaughtUp = true;
            LastCaughtUp = _time.GetUtcNow();
            if (entries.Length < ReadBatch)
            {
                return;
            }
        }
    }

    /// <summary>Follows the stream until disposed; a failed read (Redis down) is retried at the next tick.</summary>
    private async Task FollowAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or InvalidDataException)
            {
                IsCaughtUp = false; // rankings go on from what is in memory; the next read catches up
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(_pollInterval, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>This replica's own outcome, acknowledged by Redis: applied now, skipped when the stream brings it.</summary>
    private void ApplyOwn(StreamPosition position, StoredOutcome outcome)
    {
        lock (_applyGate)
        {
            if (position.CompareTo(_lastApplied) <= 0 || !_appliedAhead.Add(position))
            {
                return; // the stream already brought it
            }

            Tally(outcome);
        }
    }

    /// <summary>An entry read from the stream, in stream order: applied unless this replica applied it already.</summary>
    private void ApplyShared(StreamPosition position, StoredOutcome outcome)
    {
        lock (_applyGate)
        {
            if (position.CompareTo(_lastApplied) <= 0)
            {
                return;
            }

            _lastApplied = position;
            if (!_appliedAhead.Remove(position))
            {
                Tally(outcome);
            }
        }
    }

    private void Tally(StoredOutcome outcome)
    {
        Statistics.Apply(outcome.Model, outcome.Score, outcome.Credits, outcome.CostUsd);
        Interlocked.Increment(ref _count);
        if (outcome.QueryText is not null)
        {
            Interlocked.Increment(ref _textCount);
        }
    }

    private async Task<StoredOutcome?> ReadEntryAsync(string entry, CancellationToken cancellationToken)
    {
        var entries = await _db.StreamRangeAsync(_stream, entry, entry, 1).WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Length == 0 ? null : Decode(entries[0]) with { Replayed = true };
    }

    private static StoredOutcome Decode(StreamEntry entry) =>
        RedisOutcomeCodec.Decode((long)entry["id"], (byte[])entry["v"]!);

    /// <summary>What Redis says that makes writes not durable before they are acknowledged; null when it says nothing against.</summary>
    private static string? NotDurable(ConnectionMultiplexer redis)
    {
        try
        {
            var server = redis.GetServers().First(s => s.IsConnected);
            var config = server.ConfigGet("append*").ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
            if (config.TryGetValue("appendonly", out var aof) && !string.Equals(aof, "yes", StringComparison.OrdinalIgnoreCase))
            {
                return "runs with appendonly no";
            }

            if (config.TryGetValue("appendfsync", out var fsync) && !string.Equals(fsync, "always", StringComparison.OrdinalIgnoreCase))
            {
                return $"runs with appendfsync {fsync}";
            }

            return null;
        }
        catch (RedisServerException)
        {
            return null; // CONFIG is not allowed (a managed Redis): take its word for durability
        }
    }

    /// <summary>A Redis failure as the caller sees it: out of memory is RESOURCE_EXHAUSTED, anything else UNAVAILABLE.</summary>
    private static OutcomeStoreUnavailableException Unavailable(Exception e) =>
        e is RedisServerException && e.Message.StartsWith("OOM", StringComparison.Ordinal)
            ? new OutcomeStoreUnavailableException(RouterErrorCode.ResourceExhausted, "Redis is out of memory: the outcome was not recorded; retry later (rankings keep working).", e)
            : OutcomeStoreUnavailableException.Failed("Redis", e);

    private static StreamPosition ParsePosition(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return new StreamPosition(
            long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture),
            long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
    }

    /// <summary>A stream entry id, ordered as Redis orders them.</summary>
    private readonly record struct StreamPosition(long Milliseconds, long Sequence) : IComparable<StreamPosition>
    {
        public static StreamPosition Start => default;

        public int CompareTo(StreamPosition other) =>
            Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
    }
}
