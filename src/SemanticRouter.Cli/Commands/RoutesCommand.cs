using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using SemanticRouter.Routes;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary><c>semantic-router routes add|list|validate</c>: edit, show and check a routes directory.</summary>
internal static class RoutesCommand
{
    internal static Command Create()
    {
        var command = new Command("routes", "Edit, list and validate route files (routes/*.yaml).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Validate());
        return command;
    }

    private static Option<string> RoutesOption() => new("--routes")
    {
        Description = "Routes directory: models.yaml plus route files (*.yaml, *.yml; not recursive).",
        DefaultValueFactory = _ => "routes",
        HelpName = "DIR",
    };

    private static Command Add()
    {
        var route = new Argument<string>("ROUTE") { Description = "Name of an existing route." };
        var utterance = new Argument<string>("UTTERANCE") { Description = "The example prompt to append." };
        var routes = RoutesOption();
        var command = new Command("add", "Append an utterance to the file that holds ROUTE, keeping everything else in the file as it is.")
        {
            route, utterance, routes,
        };
        CliAction.Set(command, async (parse, stdout, _, _) =>
        {
            var result = Run(() => RouteFileEditor.AddUtterance(parse.GetValue(routes)!, parse.GetValue(route)!, parse.GetValue(utterance)!));
            await stdout.WriteLineAsync($"added to route '{result.Route}' in {result.File}: {result.Added[0]}").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var routes = RoutesOption();
        var json = new Option<bool>("--json") { Description = "One JSON object per route per line instead of a table." };
        var command = new Command("list", "List routes: utterance counts, targets and thresholds.") { routes, json };
        CliAction.Set(command, async (parse, stdout, _, _) =>
        {
            var catalog = Run(() => RouteCatalog.Load(parse.GetValue(routes)!));
            if (parse.GetValue(json))
            {
                var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
                foreach (var r in catalog.Routes)
                {
                    var line = JsonSerializer.Serialize(new
                    {
                        name = r.Name,
                        description = r.Description,
                        utterances = r.Utterances.Count,
                        targets = r.Targets.Select(t => new { model = t.Model, prior = t.Prior }),
                        threshold = r.Threshold,
                        metadata = r.Metadata,
                        file = r.SourceFile,
                        line = r.Line,
                    }, options);
                    await stdout.WriteLineAsync(line).ConfigureAwait(false);
                }

                return ExitCodes.Ok;
            }

            var console = Terminal.For(stdout);
            var table = new Table().AddColumns("route", "utterances", "targets (prior)", "threshold", "file");
            table.Columns[1].RightAligned();
            table.Columns[3].RightAligned();
            foreach (var r in catalog.Routes)
            {
                table.AddRow(
                    Markup.Escape(r.Name),
                    r.Utterances.Count.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join("\n", r.Targets.Select(t => $"{t.Model} {t.Prior.ToString("0.00", CultureInfo.InvariantCulture)}"))),
                    r.Threshold?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(Path.GetFileName(r.SourceFile)));
            }

            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{catalog.Routes.Count} routes, {catalog.UtteranceCount} utterances, {catalog.Models.Count} models"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Validate()
    {
        var routes = RoutesOption();
        var command = new Command("validate", "Check every route file and the model catalogue; list every error as file:line:col: message.") { routes };
        CliAction.Set(command, async (parse, stdout, stderr, _) =>
        {
            var directory = parse.GetValue(routes)!;
            RouteCatalog catalog;
            try
            {
                catalog = Run(() => RouteCatalog.Load(directory), rethrowValidation: true);
            }
            catch (RouteValidationException e)
            {
                foreach (var error in e.Errors)
                {
                    await stderr.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                await stderr.WriteLineAsync($"semantic-router routes validate: {e.Errors.Count} error{(e.Errors.Count == 1 ? "" : "s")} in {directory}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{directory}: ok: {catalog.Routes.Count} routes, {catalog.UtteranceCount} utterances, {catalog.Models.Count} models in {catalog.Files.Count} files (sha256 {catalog.ContentHash[..12]})")).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs an engine call, turning route errors into one-line <see cref="CliException"/>s.</summary>
    internal static T Run<T>(Func<T> body, bool rethrowValidation = false)
    {
        try
        {
            return body();
        }
        catch (RouteValidationException e) when (!rethrowValidation)
        {
            var more = e.Errors.Count > 1 ? $" (and {e.Errors.Count - 1} more; run `semantic-router routes validate`)" : "";
            throw new CliException($"invalid route files: {e.Errors[0]}{more}", ExitCodes.BadInput);
        }
        catch (RouteEditException e)
        {
            throw new CliException(e.Message, ExitCodes.BadInput);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new CliException(e.Message, ExitCodes.BadInput);
        }
    }
}
