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
                p[5].Value = OutcomeCreditsCodec.Encode(credits);
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

    private sealed record PendingWrite(IReadOnlyList<CreditedOutcome> Batch, TaskCompletionSource<StoredOutcome[]> Done);

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
}
