using Microsoft.Data.Sqlite;
using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>
/// The durable <see cref="IOutcomeStore"/> on SQLite, with live in-memory statistics.
/// </summary>
/// <remarks>
/// <para>Durability: WAL journal with <c>synchronous=FULL</c>, so every commit is fsynced to the WAL
/// before <see cref="RecordAsync"/> returns; an acknowledged outcome survives kill -9 and power loss.</para>
/// <para>Layout (<c>SqliteOutcomeStore.Schema.cs</c>): a raw table <c>outcomes</c> (id, time, request id,
/// query text, model, score, credits) is the audit log; the aggregate tables <c>utterance_stats</c> and
/// <c>route_stats</c> are updated in the same transaction, so opening reads only the aggregates (see
/// docs/ranking.md for the measured open times) and <see cref="RebuildAggregates"/> can always recompute
/// them from the raw rows.</para>
/// <para>Writes (<c>SqliteOutcomeStore.GroupCommit.cs</c>) are serialised and group-committed; the in-memory
/// statistics are updated after the commit under one short lock, and readers (the ranker) never wait on
/// SQLite. Reads of the raw table (<c>SqliteOutcomeStore.Reads.cs</c>) use their own connection.</para>
/// </remarks>
public sealed partial class SqliteOutcomeStore : IOutcomeStore
{
    private const int SchemaVersion = 3;

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _write = new(1, 1); // guards the connection: one transaction at a time
    private readonly Lock _queueGate = new();            // guards _queue and _leading
    private List<PendingWrite> _queue = [];
    private bool _leading;
    private readonly TimeProvider _time;
    private readonly SqliteCommand _insertOutcome;
    private readonly SqliteCommand _upsertUtterance;
    private readonly SqliteCommand _upsertRoute;
    private readonly SqliteCommand _findByKey;          // on the writer, inside a commit: sees the group's own rows
    private readonly Lock _lookupGate = new();          // guards _lookup (one read-only connection for replays)
    private SqliteConnection? _lookup;
    private long _count;
    private long _textCount;
    private bool _disposed;

    private SqliteOutcomeStore(string path, SqliteConnection db, TimeProvider? time)
    {
        Path = path;
        _db = db;
        _time = time ?? TimeProvider.System;
        _insertOutcome = Command(
            "INSERT INTO outcomes(time_ms, request_id, query, model, score, credits, idempotency_key, cost_usd) VALUES ($t, $r, $q, $m, $s, $c, $k, $u) RETURNING id",
            "$t", "$r", "$q", "$m", "$s", "$c", "$k", "$u");
        _findByKey = Command($"SELECT {OutcomeColumns} FROM outcomes WHERE idempotency_key = $k", "$k");
        _upsertUtterance = Command(
            "INSERT INTO utterance_stats(utterance, model, successes, trials, cost_sum, cost_trials) VALUES ($k, $m, $s, $n, $c, $w) " +
            "ON CONFLICT(utterance, model) DO UPDATE SET successes = successes + excluded.successes, trials = trials + excluded.trials, " +
            "cost_sum = cost_sum + excluded.cost_sum, cost_trials = cost_trials + excluded.cost_trials",
            "$k", "$m", "$s", "$n", "$c", "$w");
        _upsertRoute = Command(
            "INSERT INTO route_stats(route, model, successes, trials, cost_sum, cost_trials) VALUES ($k, $m, $s, $n, $c, $w) " +
            "ON CONFLICT(route, model) DO UPDATE SET successes = successes + excluded.successes, trials = trials + excluded.trials, " +
            "cost_sum = cost_sum + excluded.cost_sum, cost_trials = cost_trials + excluded.cost_trials",
            "$k", "$m", "$s", "$n", "$c", "$w");
    }

    public string Path { get; }

    /// <summary>The columns <see cref="ReadRow"/> reads, in its order.</summary>
    private const string OutcomeColumns = "id, time_ms, request_id, query, model, score, credits, idempotency_key, cost_usd";

    /// <summary>The live statistics (also implemented by the store itself).</summary>
    public OutcomeStatistics Statistics { get; } = new();

    /// <inheritdoc/>
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc/>
    public long TextCount => Interlocked.Read(ref _textCount);

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and loads the aggregates into memory.</summary>
    /// <param name="path">The SQLite file.</param>
    /// <param name="time">The clock that stamps outcomes without a time (null = the system's).</param>
    public static SqliteOutcomeStore Open(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { } dir)
        {
            Directory.CreateDirectory(dir);
        }

        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            db.Open();
            var mode = Scalar(db, "PRAGMA journal_mode=WAL") as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"{full}: the outcome store needs WAL journaling, SQLite chose '{mode}'.");
            }

            Execute(db, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;");
            var rebuild = Migrate(db, full);
            var store = new SqliteOutcomeStore(full, db, time);
            if (rebuild)
            {
                store.RebuildAggregates(); // loads too
            }
            else
            {
                store.Load();
            }

            return store;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public SuccessCounts ForUtterance(UtteranceKey utterance, string model) => Statistics.ForUtterance(utterance, model);

    public SuccessCounts ForRoute(string route, string model) => Statistics.ForRoute(route, model);

    /// <inheritdoc/>
    public IReadOnlyList<RouteModelCounts> RouteCounts() => Statistics.RouteCounts();

    public void Dispose()
    {
        _write.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _insertOutcome.Dispose();
            _upsertUtterance.Dispose();
            _upsertRoute.Dispose();
            _findByKey.Dispose();
            lock (_lookupGate)
            {
                _lookup?.Dispose();
                _lookup = null;
            }

            _db.Dispose();
        }
        finally
        {
            _write.Release();
        }
    }

    private void Load()
    {
        var stats = new OutcomeStatistics();
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT utterance, model, successes, trials, cost_sum, cost_trials FROM utterance_stats";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                stats.SetUtterance(unchecked((ulong)r.GetInt64(0)), r.GetString(1), new SuccessCounts(r.GetDouble(2), r.GetDouble(3)) { CostSum = r.GetDouble(4), CostTrials = r.GetDouble(5) });
            }
        }

        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT route, model, successes, trials, cost_sum, cost_trials FROM route_stats";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                stats.SetRoute(r.GetString(0), r.GetString(1), new SuccessCounts(r.GetDouble(2), r.GetDouble(3)) { CostSum = r.GetDouble(4), CostTrials = r.GetDouble(5) });
            }
        }

        Statistics.ReplaceWith(stats);
        // Rows are never deleted, so the largest rowid is the count (an index lookup, not a 1M-row scan).
        Interlocked.Exchange(ref _count, (long)Scalar(_db, "SELECT coalesce(max(id), 0) FROM outcomes")!);
        Interlocked.Exchange(ref _textCount, (long)Scalar(_db, "SELECT count(*) FROM outcomes WHERE query IS NOT NULL")!);
    }

    private static void ValidateCredits(OutcomeCredits credits)
    {
        ArgumentNullException.ThrowIfNull(credits);
        foreach (var c in credits.Utterances)
        {
            if (!(c.Weight >= 0) || !double.IsFinite(c.Weight))
            {
                throw new ArgumentException($"Credit weight {c.Weight} of utterance {c.Key} must be finite and non-negative.", nameof(credits));
            }
        }

        foreach (var c in credits.Routes)
        {
            if (string.IsNullOrEmpty(c.Route) || !(c.Weight >= 0) || !double.IsFinite(c.Weight))
            {
                throw new ArgumentException($"Route credit '{c.Route}' ({c.Weight}) needs a name and a finite non-negative weight.", nameof(credits));
            }
        }
    }
}
