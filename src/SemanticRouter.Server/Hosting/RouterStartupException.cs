namespace SemanticRouter.Server.Hosting;

/// <summary>
/// The server cannot start because of what a setting names: an index, model folder or outcome store that
/// cannot be opened. <see cref="Exception.Message"/> is one line that starts with the setting; the inner
/// exception is the cause (an <c>ArtifactException</c> or <c>ModelFolderException</c> for a bad artefact or model).
/// </summary>
public sealed class RouterStartupException : Exception
{
    public RouterStartupException(string setting, string message, Exception? innerException)
        : base($"{SettingNames.Describe(setting)}: {ErrorMessage.OneLine(message ?? string.Empty)}", innerException) => Setting = setting;

    public RouterStartupException()
    {
        Setting = string.Empty;
    }

    public RouterStartupException(string message)
        : base(message) => Setting = string.Empty;

    public RouterStartupException(string message, Exception innerException)
        : base(message, innerException) => Setting = string.Empty;

    /// <summary>The setting's key in the section, e.g. "Index".</summary>
    public string Setting { get; }
}
