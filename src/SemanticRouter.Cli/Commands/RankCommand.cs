using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Engine;
using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router rank`: the ranked target models of a query, its matched route and neighbours.</summary>
internal static class RankCommand
{
    public static Command Create()
    {
        var query = new Argument<string>("query") { Description = "The prompt to route" };
        var index = IndexOptions.Index();
        var model = IndexOptions.ModelOverride();
        var db = EngineOptions.OutcomeDb();
        var k = new Option<int?>("-k", "--k") { Description = "Neighbours that vote (default: the ranking default)" };
        var candidates = new Option<string[]>("--candidates") { Description = "Only these models", AllowMultipleArgumentsPerToken = true };
        var exclude = new Option<string[]>("--exclude") { Description = "Never these models", AllowMultipleArgumentsPerToken = true };
        var costWeight = new Option<double?>("--cost-weight") { Description = "Quality–cost trade-off λ (score − λ·normalised cost)" };
        var turns = new Option<string[]>("--turn") { Description = "An earlier conversation turn (repeat, oldest first)" };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of tables" };
        var ranking = new RankingFlags();
        var command = new Command("rank", "Rank the target models for a query") { query, index, model, db, k, candidates, exclude, costWeight, turns, json };
        foreach (var option in ranking.Options)
        {
            command.Options.Add(option);
        }

        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            var (engine, encoder) = EngineOptions.Open(parse.GetValue(index)!, parse.GetValue(model), parse.GetValue(db), ranking.SettingsFile(parse), ranking.Overrides(parse));
            using (encoder)
            using (engine)
            {
                foreach (string warning in engine.Settings.Warnings)
                {
                    await stderr.WriteLineAsync($"rank: warning: {warning}").ConfigureAwait(false);
                }

                EngineDecision decision;
                try
                {
                    await engine.TextModelReady.ConfigureAwait(false); // one query: rank as the server would once warm
                    decision = await engine.RankAsync(new EngineQuery(parse.GetValue(query)!)
                    {
                        K = parse.GetValue(k),
                        Candidates = Split(parse.GetValue(candidates)),
                        Excluded = Split(parse.GetValue(exclude)),
                        CostWeight = parse.GetValue(costWeight),
                        EarlierTurns = parse.GetValue(turns) ?? [],
                    }, ct).ConfigureAwait(false);
                }
                catch (RouterException e)
                {
                    throw new CliException(ErrorMessage.Of(e), ExitCodes.BadInput);
                }

                if (parse.GetValue(json))
                {
                    await stdout.WriteLineAsync(ToJson(decision)).ConfigureAwait(false);
                }
                else
                {
                    WriteTables(stdout, decision);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string[]? Split(string[]? values) =>
        values is null ? null : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static void WriteTables(TextWriter stdout, EngineDecision decision)
    {
        var ranking = decision.Ranking;
        var inv = CultureInfo.InvariantCulture;
        var console = Terminal.For(stdout);
        string match = ranking.Match is { } m ? string.Create(inv, $"{m.Route} (confidence {m.Confidence:F3})") : "none";
        console.WriteLine(ranking.IsAbstained
            ? string.Create(inv, $"abstained: top similarity {ranking.TopSimilarity:F3} < threshold {ranking.Threshold:F3}; fallback {ranking.FallbackRoute ?? "none"}; nearest route {match}")
            : $"route: {match}");
        // The expected cost of the call, in US dollars, only when it came from recorded costs (otherwise the catalogue's prices ranked).
        bool usd = ranking.Models.Any(m => m.ExpectedCost is not null);
        var models = new Table().AddColumn("#").AddColumn("model").AddColumn("score").AddColumn("quality").AddColumn("text model").AddColumn("cost");
        if (usd)
        {
            models.AddColumn("expected $/call");
        }

        models.AddColumn("supporting routes");
        int rank = 1;
        foreach (var model in ranking.Models)
        {
            var cells = new List<string>
            {
                (rank++).ToString(inv),
                Markup.Escape(model.Model),
                model.Score.ToString("F4", inv),
                model.Quality.ToString("F4", inv),
                model.TextEstimate is { } text ? text.ToString("F4", inv) : "-",
                model.NormalisedCost.ToString("F3", inv),
            };
            if (usd)
            {
                cells.Add(model.ExpectedCost is { } c ? c.ToString("G4", inv) : "-");
            }

            cells.Add(SupportingRoutes(model));
            models.AddRow([.. cells]);
        }

        console.Write(models);
        var neighbors = new Table().AddColumn("similarity").AddColumn("weight").AddColumn("route").AddColumn("utterance");
        foreach (var n in ranking.Neighbors)
        {
            neighbors.AddRow(n.Neighbor.Similarity.ToString("F4", inv), n.NormalisedWeight.ToString("F3", inv), Markup.Escape(n.Neighbor.Route), Markup.Escape(n.Neighbor.Utterance));
        }

        console.Write(neighbors);
        console.WriteLine($"request {decision.RequestId} · index {decision.IndexVersion}");
    }

    /// <summary>The top three routes that lent the model weight; a route that targets the model but
    /// none of whose utterances is near the query contributes 0 and is left out of the table (the JSON keeps it).</summary>
    private static string SupportingRoutes(RankedModel model)
    {
        var routes = model.SupportingRoutes.Where(r => r.Contribution >= 0.0005).Take(3)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Route} {r.Contribution:F3}")).ToList();
        return routes.Count == 0 ? "-" : Markup.Escape(string.Join(", ", routes));
    }

    private static string ToJson(EngineDecision decision)
    {
        var r = decision.Ranking;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("request_id", decision.RequestId);
            w.WriteString("index_version", decision.IndexVersion);
            w.WriteStartArray("models");
            foreach (var m in r.Models)
            {
                w.WriteStartObject();
                w.WriteString("model", m.Model);
                w.WriteNumber("score", Math.Round(m.Score, 6));
                w.WriteNumber("quality", Math.Round(m.Quality, 6));
                w.WriteNumber("normalised_cost", Math.Round(m.NormalisedCost, 6));
                if (m.TextEstimate is { } text)
                {
                    w.WriteNumber("text_estimate", Math.Round(text, 6));
                }

                if (m.ExpectedCost is { } cost)
                {
                    w.WriteNumber("expected_cost_usd", cost);
                }

                w.WriteStartArray("supporting_routes");
                foreach (var s in m.SupportingRoutes)
                {
                    w.WriteStringValue(s.Route);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (r.Match is { } match)
            {
                w.WriteStartObject("matched_route");
                w.WriteString("route", match.Route);
                w.WriteNumber("confidence", Math.Round(match.Confidence, 6));
                w.WriteEndObject();
            }

            w.WriteBoolean("abstained", r.IsAbstained);
            if (r.FallbackRoute is not null)
            {
                w.WriteString("fallback_route", r.FallbackRoute);
            }

            w.WriteNumber("top_similarity", Math.Round(r.TopSimilarity, 6));
            w.WriteStartArray("neighbors");
            foreach (var n in r.Neighbors)
            {
                w.WriteStartObject();
                w.WriteString("utterance", n.Neighbor.Utterance);
                w.WriteString("route", n.Neighbor.Route);
                w.WriteNumber("similarity", Math.Round(n.Neighbor.Similarity, 6));
                w.WriteNumber("weight", Math.Round(n.NormalisedWeight, 6));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
