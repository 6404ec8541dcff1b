using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SemanticRouter.Artifacts;
using SemanticRouter.Index;
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
            if (kValue is < 1 or > 10_000)
            {
                throw new CliException($"-k must be in 1..10000, got {kValue}", ExitCodes.BadInput);
            }

            var (artifact, encoder) = IndexOptions.Load(parse.GetValue(index)!, parse.GetValue(model));
            using (encoder)
            {
                IVectorIndex search = parse.GetValue(exact) ? ExactCopy(artifact.Index) : artifact.Index;
                bool asJson = parse.GetValue(json);
                IAsyncEnumerable<string> queries = text is not null
                    ? One(text)
                    : TextInput.ReadTextsAsync(TextInput.Open(file!), parse.GetValue(jsonlInput), ct);
                await foreach (string q in queries.ConfigureAwait(false))
                {
                    var hits = search.Search(encoder.Embed(q), kValue, parse.GetValue(ef));
                    if (asJson)
                    {
                        await stdout.WriteLineAsync(ToJson(q, hits, artifact)).ConfigureAwait(false);
                    }
                    else
                    {
                        WriteTable(stdout, q, hits, artifact);
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

    private static string ToJson(string query, IReadOnlyList<VectorHit> hits, RouterArtifact artifact)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("query", query);
            writer.WriteStartArray("neighbors");
            foreach (var hit in hits)
            {
                var u = artifact.Utterances[hit.Id];
                writer.WriteStartObject();
                writer.WriteString("utterance", u.Text);
                writer.WriteString("route", u.Route);
                writer.WriteNumber("similarity", Math.Round(hit.Similarity, 6));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTable(TextWriter stdout, string query, IReadOnlyList<VectorHit> hits, RouterArtifact artifact)
    {
        var table = new Table().Title(Markup.Escape(query)).AddColumn("#").AddColumn("similarity").AddColumn("route").AddColumn("utterance");
        int rank = 1;
        foreach (var hit in hits)
        {
            var u = artifact.Utterances[hit.Id];
            table.AddRow((rank++).ToString(CultureInfo.InvariantCulture), hit.Similarity.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(u.Route), Markup.Escape(u.Text));
        }

        Terminal.For(stdout).Write(table);
    }
}
