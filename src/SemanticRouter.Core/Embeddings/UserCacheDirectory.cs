namespace SemanticRouter.Embeddings;

/// <summary>
/// The one place that says where derived model data is cached: ($XDG_CACHE_HOME or ~/.cache)/semantic-router.
/// Never beside a model: model folders may be shared or read-only (and root ignores read-only bits).
/// </summary>
internal static class UserCacheDirectory
{
    public static string Root
    {
        get
        {
            string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrEmpty(root))
            {
                root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            }

            return Path.Combine(root, "semantic-router");
        }
    }
}
