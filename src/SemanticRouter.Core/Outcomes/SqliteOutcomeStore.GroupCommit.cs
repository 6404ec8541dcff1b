using Microsoft.Data.Sqlite;

namespace SemanticRouter.Outcomes;

/// <summary>The write path: group commit of credited outcomes, then the live statistics.</summary>
public sealed partial class SqliteOutcomeStore
{
    /// <summary>
    /// Records credited outcomes in one transaction (one fsync), all or nothing; returns after the commit.
    /// Concurrent calls are group-committed: whoever finds no commit in progress commits every queued batch
    /// in one transaction, so N concurrent outcomes cost one fsync, not N. Cancellation is honoured until
    /// the batch is queued; a queued batch is committed.
    /// </summary>
    public async Task<IReadOnlyList<StoredOutcome>> RecordAsync(IReadOnlyList<CreditedOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var (outcome, credits) in outcomes)
        {
            outcome.Validate();
            ValidateCredits(credits);
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = new PendingWrite(outcomes, new TaskCompletionSource<StoredOutcome[]>(TaskCreationOptions.RunContinuationsAsynchronously));
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

                // Past the commit the outcomes are acknowledged; a replay counted nothing.
                for (var g = 0; g < group.Count; g++)
                {
                    foreach (var s in results[g])
                    {
                        if (!s.Replayed)
                        {
                            Statistics.Apply(s.Model, s.Score, s.Credits, s.CostUsd);
                            Interlocked.Increment(ref _count);
                            if (s.QueryText is not null)
                            {
                                Interlocked.Increment(ref _textCount);
                            }
                        }
                    }
                }

                for (var g = 0; g < group.Count; g++)
                {
                    group[g].Done.TrySetResult(results[g]);
                }
            }
            catch (Exception e)
            {
                var failure = e is SqliteException sqlite ? Unavailable(sqlite) : e;
                foreach (var p in group)
                {
                    p.Done.TrySetException(failure);
                }
            }
            finally
            {
                _write.Release();
            }
        }
    }

    /// <summary>
    /// Writes every batch of the group in one transaction. An outcome whose idempotency key is already stored
    /// (before, or earlier in this group: the writer sees its own uncommitted rows) is not written: the stored
    /// one comes back as a replay. On any failure the transaction is rolled back: none of the group is stored.
    /// </summary>
    private StoredOutcome[][] Commit(List<PendingWrite> group)
    {
        var results = new StoredOutcome[group.Count][];
        var tx = _db.BeginTransaction();
        try
        {
            _insertOutcome.Transaction = tx;
            _upsertUtterance.Transaction = tx;
            _upsertRoute.Transaction = tx;
            _findByKey.Transaction = tx;
            for (var g = 0; g < group.Count; g++)
            {
                var batch = group[g].Batch;
                var stored = results[g] = new StoredOutcome[batch.Count];
                for (var i = 0; i < batch.Count; i++)
                {
                    var (outcome, credits) = batch[i];
                    var key = outcome.EffectiveIdempotencyKey;
                    if (key is not null && FindInTransaction(key) is { } first)
                    {
                        stored[i] = first;
                        continue;
                    }

                    var time = outcome.Time ?? _time.GetUtcNow();
                    var text = outcome.QueryText ?? credits.QueryText;
                    var p = _insertOutcome.Parameters;
                    p[0].Value = time.ToUnixTimeMilliseconds();
                    p[1].Value = (object?)outcome.RequestId ?? DBNull.Value;
                    p[2].Value = (object?)text ?? DBNull.Value;
                    p[3].Value = outcome.Model;
                    p[4].Value = outcome.Score;
                    p[5].Value = OutcomeCreditsCodec.Encode(credits);
                    p[6].Value = (object?)key ?? DBNull.Value;
                    p[7].Value = (object?)outcome.CostUsd ?? DBNull.Value;
                    var id = (long)_insertOutcome.ExecuteScalar()!;
                    foreach (var c in credits.Utterances)
                    {
                        Upsert(_upsertUtterance, unchecked((long)c.Key.Value), outcome.Model, SuccessCounts.None.Add(outcome.Score, c.Weight, outcome.CostUsd));
                    }

                    foreach (var c in credits.Routes)
                    {
                        Upsert(_upsertRoute, c.Route, outcome.Model, SuccessCounts.None.Add(outcome.Score, c.Weight, outcome.CostUsd));
                    }

                    stored[i] = new StoredOutcome(id, time, outcome.RequestId, text, outcome.Model, outcome.Score, credits)
                    {
                        IdempotencyKey = key,
                        CostUsd = outcome.CostUsd,
                    };
                }
            }

            tx.Commit(); // synchronous=FULL: durable once this returns
            return results;
        }
        catch
        {
            // SQLite may have rolled back by itself (a full disk); a failed rollback must not hide the cause.
            try
            {
                tx.Rollback();
            }
            catch (SqliteException)
            {
            }
            catch (InvalidOperationException)
            {
            }

            throw;
        }
        finally
        {
            try
            {
                tx.Dispose();
            }
            catch (SqliteException)
            {
            }
        }
    }

    private StoredOutcome? FindInTransaction(string key)
    {
        _findByKey.Parameters[0].Value = key;
        using var reader = _findByKey.ExecuteReader();
        return reader.Read() ? ReadRow(reader) with { Replayed = true } : null;
    }

    /// <summary>
    /// A SQLite failure as the caller should see it: a full disk (SQLITE_FULL, 13) is RESOURCE_EXHAUSTED, any
    /// other (I/O error, read-only, corrupt, busy) UNAVAILABLE; either way nothing of the call was stored.
    /// </summary>
    private static OutcomeStoreUnavailableException Unavailable(SqliteException e) =>
        e.SqliteErrorCode == 13 ? OutcomeStoreUnavailableException.DiskFull(e) : OutcomeStoreUnavailableException.Failed("SQLite", e);

    private sealed record PendingWrite(IReadOnlyList<CreditedOutcome> Batch, TaskCompletionSource<StoredOutcome[]> Done);

    private static void Upsert(SqliteCommand cmd, object key, string model, SuccessCounts counts)
    {
        cmd.Parameters[0].Value = key;
        cmd.Parameters[1].Value = model;
        cmd.Parameters[2].Value = counts.Successes;
        cmd.Parameters[3].Value = counts.Trials;
        cmd.Parameters[4].Value = counts.CostSum;
        cmd.Parameters[5].Value = counts.CostTrials;
        cmd.ExecuteNonQuery();
    }
}
