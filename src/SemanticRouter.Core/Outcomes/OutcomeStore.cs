using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using SemanticRouter.Routes;

namespace SemanticRouter.Outcomes;

/// <summary>
/// Durable outcome store on SQLite with live in-memory statistics.
/// </summary>
/// <remarks>
/// <para>Durability: WAL journal with <c>synchronous=FULL</c>, so every commit is fsynced to the WAL
/// before <see cref="RecordAsync"/> returns; an acknowledged outcome survives kill -9 and power loss.</para>
/// <para>Layout: a raw table <c>outcomes</c> (id, time, request id, query text, model, score, credits)
/// is the audit log; the aggregate tables <c>utterance_stats</c> and <c>route_stats</c> are updated
/// in the same transaction, so opening reads only the aggregates (see docs/ranking.md for the measured
/// open times) and <see cref="RebuildAggregates"/> can always recompute them from the raw rows.</para>
/// <para>Thread-safety: writes are serialised; the in-memory statistics are updated after the commit
/// under one short lock, and readers (the ranker) never wait on SQLite.</para>
/// </remarks>
public sealed class OutcomeStore : IOutcomeStatistics, IDisposable
{
    private const int SchemaVersion = 1;
    private const byte CreditsFormat = 1;

    private readonly SqliteConnection _db;
    private readonly SemaphoreSlim _write = new(1, 1); // guards the connection: one transaction at a time
    private readonly Lock _queueGate = new();            // guards _queue and _leading
    private List<PendingWrite> _queue = [];
    private bool _leading;
    private readonly OutcomeStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly SqliteCommand _insertOutcome;
    private readonly SqliteCommand _upsertUtterance;
    private readonly SqliteCommand _upsertRoute;
    private long _count;
    private long _textCount;
    private bool _disposed;

    private OutcomeStore(string path, SqliteConnection db, OutcomeStoreOptions options)
    {
        Path = path;
        _db = db;
        _options = options;
        _time = options.Time ?? TimeProvider.System;
        _insertOutcome = Command(
            "INSERT INTO outcomes(time_ms, request_id, query, model, score, credits) VALUES ($t, $r, $q, $m, $s, $c) RETURNING id",
            "$t", "$r", "$q", "$m", "$s", "$c");
        _upsertUtterance = Command(
            "INSERT INTO utterance_stats(utterance, model, successes, trials) VALUES ($k, $m, $s, $n) " +
            "ON CONFLICT(utterance, model) DO UPDATE SET successes = successes + excluded.successes, trials = trials + excluded.trials",
            "$k", "$m", "$s", "$n");
        _upsertRoute = Command(
            "INSERT INTO route_stats(route, model, successes, trials) VALUES ($k, $m, $s, $n) " +
            "ON CONFLICT(route, model) DO UPDATE SET successes = successes + excluded.successes, trials = trials + excluded.trials",
            "$k", "$m", "$s", "$n");
    }

    public string Path { get; }

    /// <summary>The live statistics (also implemented by the store itself).</summary>
    public OutcomeStatistics Statistics { get; } = new();

    /// <summary>Number of stored outcomes.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Outcomes stored with their query text so far (<see cref="ReadTextOutcomes"/>).</summary>
    public long TextCount => Interlocked.Read(ref _textCount);

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and loads the aggregates into memory.</summary>
    public static OutcomeStore Open(string path, OutcomeStoreOptions? options = null)
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
            Migrate(db, full);
            var store = new OutcomeStore(full, db, options ?? new OutcomeStoreOptions());
            store.Load();
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

    /// <summary>Whether the model catalogue knows <paramref name="model"/>.</summary>
    public bool IsKnownModel(string model) =>
        !string.IsNullOrWhiteSpace(model) && (_options.IsKnownModel?.Invoke(model) ?? true);

    /// <summary>
    /// Validates <paramref name="outcome"/>, resolves what it credits (request log or query neighbours),
    /// commits it durably, then updates the statistics. Returns only after the commit.
    /// </summary>
    /// <exception cref="OutcomeRejectedException">The outcome is invalid; nothing was written.</exception>
    public async Task<StoredOutcome> RecordAsync(Outcome outcome, CancellationToken cancellationToken = default)
    {
        var credits = Resolve(outcome);
        var stored = await RecordBatchAsync([(outcome, credits)], cancellationToken).ConfigureAwait(false);
        return stored[0];
    }

    /// <summary>Records an outcome whose credits the caller already knows (evaluation, import with its own search).</summary>
    public async Task<StoredOutcome> RecordCreditedAsync(Outcome outcome, OutcomeCredits credits, CancellationToken cancellationToken = default)
    {
        var stored = await RecordBatchAsync([(outcome, credits)], cancellationToken).ConfigureAwait(false);
        return stored[0];
    }

    /// <summary>What <paramref name="outcome"/> would credit; throws <see cref="OutcomeRejectedException"/> when invalid.</summary>
    public OutcomeCredits Resolve(Outcome outcome)
    {
        Validate(outcome);
        if (outcome.RequestId is { } id)
        {
            if (_options.RequestLog is not { } log || !log.TryGet(id, out var credits))
            {
                throw new OutcomeRejectedException(OutcomeRejectionReason.UnknownRequestId,
                    $"Unknown request id '{id}': never issued, or older than the request log's TTL.");
            }

            return credits;
        }

        var find = _options.FindNeighbors ?? throw new OutcomeRejectedException(OutcomeRejectionReason.QueryTextUnsupported,
            "This outcome store cannot credit query text: no index to find its neighbours.");
        var neighbors = find(outcome.QueryText!);
        if (neighbors.Count == 0)
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.NoNeighbors, "The query text has no neighbour in the index to credit.");
        }

        return OutcomeCredits.FromNeighbors(neighbors, _options.Weighting);
    }

    /// <summary>
    /// Records many resolved outcomes in one transaction (one fsync), all or nothing; returns after the
    /// commit. Concurrent calls are group-committed: whoever finds no commit in progress commits every
    /// queued batch in one transaction, so N concurrent outcomes cost one fsync, not N. Cancellation is
    /// honoured until the batch is queued; a queued batch is committed.
    /// </summary>
    public async Task<IReadOnlyList<StoredOutcome>> RecordBatchAsync(
        IReadOnlyList<(Outcome Outcome, OutcomeCredits Credits)> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var (outcome, credits) in batch)
        {
            Validate(outcome);
            ValidateCredits(credits);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = new PendingWrite(batch, new TaskCompletionSource<StoredOutcome[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool lead;
        lock (_queueGate)
        {
            _queue.Add(pending);
            lead = !_leading;
            _leading = true;
        }

        if (lead)
        {
            await LeadAsync(pending).ConfigureAwait(false);
        }

        return await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Commits queued batches group by group until the queue is empty, or hands leadership on once <paramref name="own"/> is done.</summary>
    private async Task LeadAsync(PendingWrite? own)
    {
        while (true)
        {
            List<PendingWrite> group;
            lock (_queueGate)
            {
                if (_queue.Count == 0)
                {
                    _leading = false;
                    return;
                }

                if (own is { Done.Task.IsCompleted: true })
                {
                    // Don't keep a caller working for others under sustained load: pass the lead on.
                    _ = Task.Run(() => LeadAsync(null));
                    return;
                }

                group = _queue;
                _queue = [];
            }

            await _write.WaitAsync().ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var results = Commit(group);

                // Past the commit the outcomes are acknowledged.
                for (var g = 0; g < group.Count; g++)
                {
                    foreach (var s in results[g])
                    {
                        Statistics.Apply(s.Model, s.Score, s.Credits);
                    }

                    Interlocked.Add(ref _count, results[g].Length);
                    Interlocked.Add(ref _textCount, results[g].Count(o => o.QueryText is not null));
                }

                for (var g = 0; g < group.Count; g++)
                {
                    group[g].Done.TrySetResult(results[g]);
                }
            }
            catch (Exception e)
            {
                foreach (var p in group)
                {
                    p.Done.TrySetException(e);
                }
            }
            finally
            {
                _write.Release();
            }
        }
    }

    private StoredOutcome[][] Commit(List<PendingWrite> group)
    {
        var results = new StoredOutcome[group.Count][];
        using var tx = _db.BeginTransaction();
        _insertOutcome.Transaction = tx;
        _upsertUtterance.Transaction = tx;
        _upsertRoute.Transaction = tx;
        for (var g = 0; g < group.Count; g++)
        {
            var batch = group[g].Batch;
            var stored = results[g] = new StoredOutcome[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                var (outcome, credits) = batch[i];
                var time = outcome.Time ?? _time.GetUtcNow();
                var text = outcome.QueryText ?? credits.QueryText;
                var p = _insertOutcome.Parameters;
                p[0].Value = time.ToUnixTimeMilliseconds();
                p[1].Value = (object?)outcome.RequestId ?? DBNull.Value;
                p[2].Value = (object?)text ?? DBNull.Value;
                p[3].Value = outcome.Model;
                p[4].Value = outcome.Score;
                p[5].Value = EncodeCredits(credits);
                var id = (long)_insertOutcome.ExecuteScalar()!;
                foreach (var c in credits.Utterances)
                {
                    Upsert(_upsertUtterance, unchecked((long)c.Key.Value), outcome.Model, outcome.Score, c.Weight);
                }

                foreach (var c in credits.Routes)
                {
                    Upsert(_upsertRoute, c.Route, outcome.Model, outcome.Score, c.Weight);
                }

                stored[i] = new StoredOutcome(id, time, outcome.RequestId, text, outcome.Model, outcome.Score, credits);
            }
        }

        tx.Commit(); // synchronous=FULL: durable once this returns
        return results;
    }

    private sealed record PendingWrite(IReadOnlyList<(Outcome Outcome, OutcomeCredits Credits)> Batch, TaskCompletionSource<StoredOutcome[]> Done);

    /// <summary>
    /// Every stored outcome in id order (the audit log), read through its own read-only connection:
    /// safe while outcomes are being recorded (WAL readers see the last committed snapshot).
    /// </summary>
    public IEnumerable<StoredOutcome> ReadOutcomes()
    {
        using var db = OpenReadOnly();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT id, time_ms, request_id, query, model, score, credits FROM outcomes ORDER BY id";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            yield return new StoredOutcome(
                reader.GetInt64(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetDouble(5),
                DecodeCredits((byte[])reader.GetValue(6)));
        }
    }

    /// <summary>A connection of its own for reading while writes go on (WAL readers see the last commit).</summary>
    private SqliteConnection OpenReadOnly()
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        db.Open();
        return db;
    }

    /// <summary>
    /// The outcomes stored with their query text (by query, or by request id of a ranking whose text was
    /// remembered), oldest first, or only the newest <paramref name="newest"/>: what the text outcome model
    /// is fitted on. Reads through its own read-only connection, like <see cref="ReadOutcomes"/>.
    /// </summary>
    public List<Ranking.TextOutcome> ReadTextOutcomes(int newest = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newest);
        using var db = OpenReadOnly();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT query, model, score FROM (SELECT id, query, model, score FROM outcomes WHERE query IS NOT NULL ORDER BY id DESC LIMIT $n) ORDER BY id";
        cmd.Parameters.AddWithValue("$n", newest);
        using var reader = cmd.ExecuteReader();
        var list = new List<Ranking.TextOutcome>();
        while (reader.Read())
        {
            list.Add(new Ranking.TextOutcome(reader.GetString(0), reader.GetString(1), reader.GetDouble(2)));
        }

        return list;
    }

    /// <summary>Recomputes the aggregate tables from the raw outcomes (repair, or after a format change) and reloads memory.</summary>
    public void RebuildAggregates()
    {
        _write.Wait();
        try
        {
            using (var tx = _db.BeginTransaction())
            {
                Execute(_db, "DELETE FROM utterance_stats; DELETE FROM route_stats;", tx);
                var fresh = new OutcomeStatistics();
                foreach (var o in ReadOutcomes())
                {
                    fresh.Apply(o.Model, o.Score, o.Credits);
                }

                _upsertUtterance.Transaction = tx;
                _upsertRoute.Transaction = tx;
                foreach (var (key, model, counts) in fresh.UtteranceCounts())
                {
                    Upsert(_upsertUtterance, unchecked((long)key), model, counts);
                }

                foreach (var c in fresh.RouteCounts())
                {
                    Upsert(_upsertRoute, c.Route, c.Model, c.Counts);
                }

                tx.Commit();
            }

            Load();
        }
        finally
        {
            _write.Release();
        }
    }

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
            cmd.CommandText = "SELECT utterance, model, successes, trials FROM utterance_stats";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                stats.SetUtterance(unchecked((ulong)r.GetInt64(0)), r.GetString(1), new SuccessCounts(r.GetDouble(2), r.GetDouble(3)));
            }
        }

        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = "SELECT route, model, successes, trials FROM route_stats";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                stats.SetRoute(r.GetString(0), r.GetString(1), new SuccessCounts(r.GetDouble(2), r.GetDouble(3)));
            }
        }

        Statistics.ReplaceWith(stats);
        // Rows are never deleted, so the largest rowid is the count (an index lookup, not a 1M-row scan).
        Interlocked.Exchange(ref _count, (long)Scalar(_db, "SELECT coalesce(max(id), 0) FROM outcomes")!);
        Interlocked.Exchange(ref _textCount, (long)Scalar(_db, "SELECT count(*) FROM outcomes WHERE query IS NOT NULL")!);
    }

    private void Validate(Outcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!(outcome.Score is >= 0 and <= 1))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.ScoreOutOfRange, $"Score {outcome.Score} is outside [0, 1].");
        }

        if (!IsKnownModel(outcome.Model))
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.UnknownModel, $"Unknown model '{outcome.Model}'.");
        }

        var hasId = !string.IsNullOrWhiteSpace(outcome.RequestId);
        var hasText = !string.IsNullOrWhiteSpace(outcome.QueryText);
        if (hasId == hasText)
        {
            throw new OutcomeRejectedException(OutcomeRejectionReason.InvalidTarget,
                hasId ? "Give a request id or query text, not both." : "An outcome needs a request id or query text.");
        }
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

    private static void Upsert(SqliteCommand cmd, object key, string model, double score, double weight) =>
        Upsert(cmd, key, model, SuccessCounts.None.Add(score, weight));

    private static void Upsert(SqliteCommand cmd, object key, string model, SuccessCounts counts)
    {
        cmd.Parameters[0].Value = key;
        cmd.Parameters[1].Value = model;
        cmd.Parameters[2].Value = counts.Successes;
        cmd.Parameters[3].Value = counts.Trials;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Credits as a compact blob: format byte, utterance count, (u64 key, f64 weight)*, route count, (utf-8 name, f64 weight)*.</summary>
    internal static byte[] EncodeCredits(OutcomeCredits credits)
    {
        using var ms = new MemoryStream(16 + (credits.Utterances.Count * 16) + (credits.Routes.Count * 32));
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(CreditsFormat);
            w.Write(credits.Utterances.Count);
            foreach (var c in credits.Utterances)
            {
                w.Write(c.Key.Value);
                w.Write(c.Weight);
            }

            w.Write(credits.Routes.Count);
            foreach (var c in credits.Routes)
            {
                w.Write(c.Route);
                w.Write(c.Weight);
            }
        }

        return ms.ToArray();
    }

    internal static OutcomeCredits DecodeCredits(byte[] blob)
    {
        using var r = new BinaryReader(new MemoryStream(blob), System.Text.Encoding.UTF8);
        var format = r.ReadByte();
        if (format != CreditsFormat)
        {
            throw new InvalidDataException($"Unknown credits format {format}.");
        }

        var utterances = new UtteranceCredit[r.ReadInt32()];
        for (var i = 0; i < utterances.Length; i++)
        {
            utterances[i] = new UtteranceCredit(new UtteranceKey(r.ReadUInt64()), r.ReadDouble());
        }

        var routes = new RouteCredit[r.ReadInt32()];
        for (var i = 0; i < routes.Length; i++)
        {
            routes[i] = new RouteCredit(r.ReadString(), r.ReadDouble());
        }

        return new OutcomeCredits(utterances, routes);
    }

    private static void Migrate(SqliteConnection db, string path)
    {
        var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"{path}: outcome store schema {version} is newer than this program's ({SchemaVersion}).");
        }

        Execute(db, $"""
            CREATE TABLE IF NOT EXISTS outcomes(
                id INTEGER PRIMARY KEY,
                time_ms INTEGER NOT NULL,
                request_id TEXT,
                query TEXT,
                model TEXT NOT NULL,
                score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
                credits BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS utterance_stats(
                utterance INTEGER NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                PRIMARY KEY (utterance, model)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS route_stats(
                route TEXT NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                PRIMARY KEY (route, model)) WITHOUT ROWID;
            PRAGMA user_version = {SchemaVersion};
            """);
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var name in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        cmd.Prepare();
        return cmd;
    }

    private static object? Scalar(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd.ExecuteScalar();
    }

    private static void Execute(SqliteConnection db, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }
}
