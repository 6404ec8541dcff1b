namespace SemanticRouter.Cli;

/// <summary>
/// A user-facing failure: printed as one line on stderr (no stack trace) with its exit code.
/// Throw it from commands for bad input; <see cref="CliAction"/> turns it into the exit code.
/// </summary>
public sealed class CliException(string message, int exitCode = ExitCodes.BadInput) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Process exit codes, stable for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Unexpected internal failure.</summary>
    public const int Internal = 1;
    /// <summary>Bad input: arguments, files, data.</summary>
    public const int BadInput = 2;
    /// <summary>A model folder, index artefact or route set that is missing, corrupt or mismatched.</summary>
    public const int BadArtifact = 3;
    /// <summary>Network failure (model pull; health: nothing answered in time).</summary>
    public const int Network = 4;
    /// <summary>A server answered its health check with something other than SERVING (health).</summary>
    public const int NotServing = 5;
}
