using Microsoft.Data.Sqlite;

namespace SemanticRouter.Outcomes;

/// <summary>The tables, their migration, and the SQLite plumbing.</summary>
public sealed partial class SqliteOutcomeStore
{
    /// <returns>Whether the aggregates must be recomputed from the raw rows (costs recorded before version 3).</returns>
    private static bool Migrate(SqliteConnection db, string path)
    {
        var rebuild = false;
        var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version"), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaVersion)
        {
            throw new InvalidDataException($"{path}: outcome store schema {version} is newer than this program's ({SchemaVersion}).");
        }

        // Version 2 (issue 27) adds the idempotency key (unique where set) and the caller's cost; version 3
        // (issue 29) sums the costs in the aggregates, so the ranker reads each model's observed cost.
        using var tx = db.BeginTransaction();
        Execute(db, """
            CREATE TABLE IF NOT EXISTS outcomes(
                id INTEGER PRIMARY KEY,
                time_ms INTEGER NOT NULL,
                request_id TEXT,
                query TEXT,
                model TEXT NOT NULL,
                score REAL NOT NULL CHECK (score >= 0 AND score <= 1),
                credits BLOB NOT NULL,
                idempotency_key TEXT,
                cost_usd REAL);
            CREATE TABLE IF NOT EXISTS utterance_stats(
                utterance INTEGER NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                cost_sum REAL NOT NULL DEFAULT 0, cost_trials REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (utterance, model)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS route_stats(
                route TEXT NOT NULL, model TEXT NOT NULL, successes REAL NOT NULL, trials REAL NOT NULL,
                cost_sum REAL NOT NULL DEFAULT 0, cost_trials REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (route, model)) WITHOUT ROWID;
            """, tx);
        if (version == 1)
        {
            Execute(db, "ALTER TABLE outcomes ADD COLUMN idempotency_key TEXT; ALTER TABLE outcomes ADD COLUMN cost_usd REAL;", tx);
        }

        if (version is 1 or 2)
        {
            // The raw rows of version 2 kept their cost; the stored sums start from those rows' costs.
            Execute(db, """
                ALTER TABLE utterance_stats ADD COLUMN cost_sum REAL NOT NULL DEFAULT 0;
                ALTER TABLE utterance_stats ADD COLUMN cost_trials REAL NOT NULL DEFAULT 0;
                ALTER TABLE route_stats ADD COLUMN cost_sum REAL NOT NULL DEFAULT 0;
                ALTER TABLE route_stats ADD COLUMN cost_trials REAL NOT NULL DEFAULT 0;
                """, tx);
            rebuild = version == 2 && Convert.ToInt64(Scalar(db, "SELECT count(*) FROM outcomes WHERE cost_usd IS NOT NULL", tx), System.Globalization.CultureInfo.InvariantCulture) > 0;
        }

        Execute(db, $"""
            CREATE UNIQUE INDEX IF NOT EXISTS outcomes_by_idempotency_key ON outcomes(idempotency_key) WHERE idempotency_key IS NOT NULL;
            PRAGMA user_version = {SchemaVersion};
            """, tx);
        tx.Commit();
        return rebuild;
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
