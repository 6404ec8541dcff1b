using System.CommandLine;

namespace SemanticRouter.Cli.Commands;

/// <summary>Every top-level command, in help order. Add one line per new command.</summary>
internal static class CommandCatalog
{
    internal static IEnumerable<Command> All()
    {
        yield return BuildCommand.Create();
        yield return ServeCommand.Create();
        yield return RankCommand.Create();
        yield return NeighborsCommand.Create();
        yield return RoutesCommand.Create();
        yield return ImportCommand.Create();
        yield return OutcomesCommand.Create(EngineOptions.OpenOutcomeImport);
        yield return EvalCommand.Create();
        yield return FitCommand.Create();
        yield return TokenizeCommand.Create();
        yield return EmbedCommand.Create();
        yield return ModelCommand.Create();
        yield return HealthCommand.Create();
    }
}
