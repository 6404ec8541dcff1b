namespace SemanticRouter.Server.Hosting;

/// <summary>
/// Secrets given directly or in a file (a mounted Kubernetes or Docker secret). Their values never appear
/// in a message: only the setting's name and the file's path do.
/// </summary>
internal static class Secrets
{
    /// <summary>The API key the server requires, or null for none.</summary>
    /// <exception cref="IOException">The key file cannot be read.</exception>
    public static string? ApiKey(RouterServerOptions options) => Read(options.ApiKey, options.ApiKeyFile);

    /// <summary>The admin key, or null for none.</summary>
    /// <exception cref="IOException">The key file cannot be read.</exception>
    public static string? AdminKey(RouterServerOptions options) => Read(options.AdminKey, options.AdminKeyFile);

    /// <summary>The certificate's password, or null for none.</summary>
    /// <exception cref="IOException">The password file cannot be read.</exception>
    public static string? CertificatePassword(RouterServerOptions options) => Read(options.CertificatePassword, options.CertificatePasswordFile);

    /// <summary>The Redis configuration string of the shared outcome store, or null for the SQLite store.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string? OutcomeRedis(EngineHostOptions options) => Read(options.OutcomeRedis, options.OutcomeRedisFile);

    // A file's trailing new line (echo key > file) is not part of the secret.
    private static string? Read(string? value, string? file) =>
        value ?? (file is null ? null : File.ReadAllText(file).TrimEnd());
}
