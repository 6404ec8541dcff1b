using Microsoft.Data.Sqlite;

namespace SemanticRouter.Outcomes;

/// <summary>The read side of the raw table (audit, the text outcome model) and its maintenance.</summary>
public sealed partial class SqliteOutcomeStore
{
    /// <summary>
    /// Every stored outcome in id order (the audit log), read through its own read-only connection:
    /// safe while outcomes are being recorded (WAL readers see the last committed snapshot).
    /// </summary>
    public IEnumerable<StoredOutcome> ReadOutcomes()
    {
        using var db = OpenReadOnly();
        using var cmd = db.CreateCommand();
        cmd.CommandText = $"SELECT {OutcomeColumns} FROM outcomes ORDER BY id";
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            yield return ReadRow(reader);
        }
    }

    /// <summary>
    /// The outcome recorded under <paramref name="idempotencyKey"/>, as a replay, or null. Reads through one
    /// read-only connection kept open for this (a replay check per RecordOutcome must not open a file each time).
    /// </summary>
    public Task<StoredOutcome?> FindAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            lock (_lookupGate)
            {
                _lookup ??= OpenReadOnly();
                using var cmd = _lookup.CreateCommand();
                cmd.CommandText = $"SELECT {OutcomeColumns} FROM outcomes WHERE idempotency_key = $k";
                cmd.Parameters.AddWithValue("$k", idempotencyKey);
                using var reader = cmd.ExecuteReader();
                return Task.FromResult(reader.Read() ? ReadRow(reader) with { Replayed = true } : null);
            }
        }
        catch (SqliteException e)
        {
            throw Unavailable(e);
        }
    }

    /// <summary>One row of <see cref="OutcomeColumns"/>.</summary>
    private static StoredOutcome ReadRow(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4),
        reader.GetDouble(5),
        OutcomeCreditsCodec.Decode((byte[])reader.GetValue(6)))
    {
        IdempotencyKey = reader.IsDBNull(7) ? null : reader.GetString(7),
        CostUsd = reader.IsDBNull(8) ? null : reader.GetDouble(8),
    };

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
    /// remembered), oldest first, only the newest <paramref name="newest"/>: what the text outcome model is
    /// fitted on. Reads through its own read-only connection, like <see cref="ReadOutcomes"/>.
    /// </summary>
    public async Task<IReadOnlyList<TextOutcome>> ReadTextOutcomesAsync(int newest, long maxTextChars, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(newest);
        ArgumentOutOfRangeException.ThrowIfNegative(maxTextChars);
        await using var db = OpenReadOnly();
        await using var cmd = db.CreateCommand();
        // Newest first, measuring each text before it is read (length() counts characters), so the budget stops
        // the read before an over-long text is materialised.
        cmd.CommandText = "SELECT length(query), query, model, score FROM outcomes WHERE query IS NOT NULL ORDER BY id DESC LIMIT $n";
        cmd.Parameters.AddWithValue("$n", newest);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<TextOutcome>();
        long chars = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            chars += reader.GetInt64(0);
            if (chars > maxTextChars)
            {
                break;
            }

            list.Add(new TextOutcome(reader.GetString(1), reader.GetString(2), reader.GetDouble(3)));
        }

        list.Reverse(); // oldest first
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
                    fresh.Apply(o.Model, o.Score, o.Credits, o.CostUsd);
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
}
