using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Index;
using SemanticRouter.Neighbors;
using SemanticRouter.Ranking;
using Spectre.Console;

namespace SemanticRouter.Cli.Commands;

/// <summary>`semantic-router neighbors`: the k nearest utterances of a query (the debugging view of a decision).</summary>
internal static class NeighborsCommand
{
    public static Command Create()
    {
        var index = IndexOptions.Index();
        var model = IndexOptions.ModelOverride();
        var query = new Argument<string?>("query") { Description = "Query text (or use --input)", Arity = ArgumentArity.ZeroOrOne };
        var input = new Option<string?>("--input") { Description = "File of queries, one per line (- for stdin)" };
        var jsonlInput = ModelOptions.Jsonl();
        var k = new Option<int>("-k", "--k") { Description = "Neighbours per query", DefaultValueFactory = _ => 10 };
        var ef = new Option<int>("--ef") { Description = "HNSW search breadth (0 = the index default)", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "One JSON object per query per line" };
        var exact = new Option<bool>("--exact") { Description = "Brute-force search instead of HNSW (the reference)" };
        var command = new Command("neighbors", "Show the nearest route utterances of a query") { query, index, model, input, jsonlInput, k, ef, json, exact };
        CliAction.Set(command, async (parse, stdout, stderr, ct) =>
        {
            string? text = parse.GetValue(query);
            string? file = parse.GetValue(input);
            if ((text is null) == (file is null))
            {
                throw new CliException("give either a query argument or --input FILE", ExitCodes.BadInput);
            }

            int kValue = parse.GetValue(k);
            if (kValue is < 1 or > RankingOptions.MaxK)
            {
                throw new CliException($"-k must be in 1..{RankingOptions.MaxK}, got {kValue}", ExitCodes.BadInput);
            }

            var (artifact, encoder) = IndexOptions.Load(parse.GetValue(index)!, parse.GetValue(model));
            using (encoder)
            {
                var search = new NeighborSearch(parse.GetValue(exact) ? ExactCopy(artifact.Index) : artifact.Index, artifact.Utterances);
                bool asJson = parse.GetValue(json);
                IAsyncEnumerable<string> queries = text is not null
                    ? One(text)
                    : TextInput.ReadTextsAsync(TextInput.Open(file!), parse.GetValue(jsonlInput), ct);
                await foreach (string q in queries.ConfigureAwait(false))
                {
                    var neighbors = search.Search(encoder.Embed(q), kValue, parse.GetValue(ef));
                    if (asJson)
                    {
                        await stdout.WriteLineAsync(ToJson(q, neighbors)).ConfigureAwait(false);
                    }
                    else
                    {
                        WriteTable(stdout, q, neighbors);
                    }
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static ExactIndex ExactCopy(HnswIndex index)
    {
        var exact = new ExactIndex(index.Dimensions, index.Count);
        foreach (int id in index.Ids)
        {
            exact.Add(id, index.GetVector(id));
        }

        return exact;
    }

    private static async IAsyncEnumerable<string> One(string text)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return text;
    }

    private static string ToJson(string query, IReadOnlyList<Neighbor> neighbors)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            writer.WriteStartArray("neighbors");
            foreach (var n in neighbors)
            {
                writer.WriteStartObject();
                writer.WriteString("utterance", n.Utterance);
                writer.WriteString("route", n.Route);
                writer.WriteNumber("similarity", Math.Round(n.Similarity, 6));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTable(TextWriter stdout, string query, IReadOnlyList<Neighbor> neighbors)
    {
        var table = new Table().Title(Markup.Escape(query)).AddColumn("#").AddColumn("similarity").AddColumn("route").AddColumn("utterance");
        int rank = 1;
        foreach (var n in neighbors)
        {
            table.AddRow((rank++).ToString(CultureInfo.InvariantCulture), n.Similarity.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(n.Route), Markup.Escape(n.Utterance));
        }

        Terminal.For(stdout).Write(table);
    }
}
