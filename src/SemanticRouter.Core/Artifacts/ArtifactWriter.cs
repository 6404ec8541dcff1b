using System.Text.Json;
using SemanticRouter.Index;
using SemanticRouter.IO;
using SemanticRouter.Neighbors;
using SemanticRouter.RouteHead;
using SemanticRouter.Settings;

namespace SemanticRouter.Artifacts;

/// <summary>Writes an artefact atomically: temp directory, fsync, rename into place.</summary>
internal static class ArtifactWriter
{
    internal sealed record Contents(
        ArtifactModelInfo Model,
        ArtifactRoutesInfo Routes,
        ArtifactHnswInfo Hnsw,
        ArtifactCounts Counts,
        string IndexVersion,
        IReadOnlyList<string> RouteFiles,
        IReadOnlyList<UtteranceEntry> Utterances,
        HnswIndex Index,
        RouteHeadModel? Head = null,
        RankingSettingsFile? RankingSettings = null);

    internal static ArtifactManifest Write(string target, Contents contents)
    {
        ArtifactManifest? manifest = null;
        AtomicWrite.ReplaceDirectory(target, temp =>
        {
            var files = new SortedDictionary<string, ArtifactFileInfo>(StringComparer.Ordinal);

            string graph = Path.Combine(temp, ArtifactFiles.Graph);
            using (var stream = new FileStream(graph, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                contents.Index.WriteTo(stream);
            }

            files[ArtifactFiles.Graph] = FileChecksum.Of(graph);

            string utterances = Path.Combine(temp, ArtifactFiles.Utterances);
            WriteUtterances(utterances, contents.Utterances);
            files[ArtifactFiles.Utterances] = FileChecksum.Of(utterances);

            if (contents.Head is { } head)
            {
                string headPath = Path.Combine(temp, ArtifactFiles.RouteHead);
                using (var stream = new FileStream(headPath, FileMode.CreateNew, FileAccess.Write))
                {
                    head.Classifier.WriteTo(stream);
                }

                files[ArtifactFiles.RouteHead] = FileChecksum.Of(headPath);
                string paramsPath = Path.Combine(temp, ArtifactFiles.Parameters);
                File.WriteAllText(paramsPath, head.ParametersJson);
                files[ArtifactFiles.Parameters] = FileChecksum.Of(paramsPath);
            }

            if (contents.RankingSettings is { } settings)
            {
                string settingsPath = Path.Combine(temp, ArtifactFiles.RankingSettings);
                File.WriteAllText(settingsPath, settings.ToJson() + "\n");
                files[ArtifactFiles.RankingSettings] = FileChecksum.Of(settingsPath);
            }

            string routes = Path.Combine(temp, ArtifactFiles.RoutesFolder);
            Directory.CreateDirectory(routes);
            foreach (string source in contents.RouteFiles)
            {
                string name = Path.GetFileName(source);
                string copy = Path.Combine(routes, name);
                File.Copy(source, copy);
                files[$"{ArtifactFiles.RoutesFolder}/{name}"] = FileChecksum.Of(copy);
            }

            manifest = new ArtifactManifest
            {
                FormatVersion = ArtifactManifest.CurrentFormatVersion,
                CreatedUtc = DateTimeOffset.UtcNow,
                IndexVersion = contents.IndexVersion,
                Model = contents.Model,
                Routes = contents.Routes,
                Hnsw = contents.Hnsw,
                Counts = contents.Counts,
                Files = files,
            };
            File.WriteAllBytes(Path.Combine(temp, ArtifactFiles.Manifest),
                JsonSerializer.SerializeToUtf8Bytes(manifest, ArtifactJsonContext.Default.ArtifactManifest));
        });
        return manifest!;
    }

    private static void WriteUtterances(string path, IReadOnlyList<UtteranceEntry> utterances)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        for (int i = 0; i < utterances.Count; i++)
        {
            var u = utterances[i];
            writer.WriteStartObject();
            writer.WriteNumber("id", u.Id);
            writer.WriteString("route", u.Route);
            writer.WriteString("text", u.Text);
            writer.WriteEndObject();
            writer.Flush();
            stream.WriteByte((byte)'\n');
            writer.Reset();
        }
    }
}
