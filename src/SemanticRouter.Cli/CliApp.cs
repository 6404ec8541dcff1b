using System.CommandLine;

namespace SemanticRouter.Cli;

/// <summary>The `semantic-router` command tree.</summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("SemanticRouter: rank target models for a prompt.");
        return root.Parse(args).Invoke();
    }
}
