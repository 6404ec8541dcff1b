namespace SemanticRouter.Outcomes.Redis;

/// <summary>Settings of a <see cref="RedisOutcomeStore"/>.</summary>
public sealed class RedisOutcomeStoreOptions
{
    /// <summary>The StackExchange.Redis configuration string, e.g. <c>redis:6379,password=…</c>. A secret: never logged.</summary>
    public required string Configuration { get; init; }

    /// <summary>Prefix of every key the store writes; replicas that share outcomes use the same one.</summary>
    public string KeyPrefix { get; init; } = "semantic-router";

    /// <summary>
    /// How often a replica reads the outcomes other replicas recorded: the bound on how late an outcome
    /// recorded elsewhere reaches this replica's rankings (plus one round trip). Default 100 ms.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Refuse to start when Redis says its writes are not fsynced before it answers (<c>appendonly no</c>, or
    /// <c>appendfsync</c> other than <c>always</c>): an acknowledged outcome would not survive a Redis restart.
    /// A Redis that does not answer CONFIG GET (managed services) is taken at its word. Default true.
    /// </summary>
    public bool RequireDurableWrites { get; init; } = true;

    /// <summary>How long to wait for Redis when opening the store. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
