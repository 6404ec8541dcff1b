using System.Security.Cryptography;
using System.Text;
using SemanticRouter.Embeddings;
using SemanticRouter.Routes;

namespace SemanticRouter.Artifacts;

/// <summary>Where an artefact's route catalogue came from when it was loaded.</summary>
public enum RouteCatalogSource
{
    /// <summary>Parsed from the route files (a small set, or no cache entry yet).</summary>
    Parsed,

    /// <summary>Parsed from the route files, and the parsed form written to the cache for the next start.</summary>
    ParsedAndCached,

    /// <summary>The parsed form of exactly these route-file bytes, read from the cache.</summary>
    Cache,
}

/// <summary>
/// The parsed form of large route sets, kept in the user's cache directory so that a restart does not
/// parse the same YAML again (for a 100k-utterance index, most of the index's start-up CPU once the JIT
/// is counted). An entry is keyed by SHA-256 over this build of the parser (the engine assembly's module
/// version id), the model catalogue's location and every file's path and bytes: it is used only for the
/// very bytes the artefact's manifest has just verified, parsed by the very same code, so it stands for
/// exactly what parsing them would give. The entry carries a SHA-256 of its own content; an entry that is
/// unreadable, truncated or altered is deleted and the files are parsed. Written to a temporary file and
/// renamed (a reader never sees half of one), after the parse, off the start's path; the newest
/// <see cref="MaxEntries"/> are kept.
/// </summary>
internal static class RouteCatalogCache
{
    /// <summary>Route sets smaller than this (all files' bytes) are parsed each time: fast enough, and no litter.</summary>
    public const long MinBytes = 256 * 1024;

    public const int MaxEntries = 8;

    private static ReadOnlySpan<byte> Magic => "SRCAT01\n"u8;

    /// <summary>The cache directory (tests point it elsewhere); default <c>$XDG_CACHE_HOME/semantic-router/route-catalogs</c>.</summary>
    public static string Directory { get; set; } = Path.Combine(UserCacheDirectory.Root, "route-catalogs");

    /// <summary>
    /// The catalogue of <paramref name="files"/>: from the cache when it holds their parsed form, else
    /// parsed (<see cref="RouteCatalog.FromContents"/>, which throws on invalid files as ever) and, for
    /// a large set, written to the cache in the background.
    /// </summary>
    public static RouteCatalog Load(IReadOnlyList<(string Path, byte[] Content)> files, string modelCatalogLocation, out RouteCatalogSource source, string? directory = null)
    {
        long bytes = files.Sum(f => (long)f.Content.Length);
        if (bytes < MinBytes)
        {
            source = RouteCatalogSource.Parsed;
            return RouteCatalog.FromContents(files, modelCatalogLocation);
        }

        directory ??= Directory;
        string path = Path.Combine(directory, Key(files, modelCatalogLocation) + ".bin");
        if (TryRead(path) is { } cached)
        {
            source = RouteCatalogSource.Cache;
            return cached;
        }

        var catalog = RouteCatalog.FromContents(files, modelCatalogLocation);
        source = RouteCatalogSource.ParsedAndCached;
        _ = Task.Run(() => TryWrite(directory, path, catalog));
        return catalog;
    }

    private static string Key(IReadOnlyList<(string Path, byte[] Content)> files, string modelCatalogLocation)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(typeof(RouteCatalog).Module.ModuleVersionId.ToByteArray());
        Span<byte> length = stackalloc byte[8];
        foreach (string part in files.Select(f => f.Path).Prepend(modelCatalogLocation))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(part));
            sha.AppendData([0]);
        }

        foreach (var (_, content) in files)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, content.LongLength);
            sha.AppendData(length);
            sha.AppendData(content);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static RouteCatalog? TryRead(string path)
    {
        byte[] entry;
        try
        {
            entry = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no entry yet (or an unreadable directory)
        }

        try
        {
            int payloadLength = entry.Length - Magic.Length - SHA256.HashSizeInBytes;
            if (payloadLength < 0 || !entry.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                throw new InvalidDataException("not a route catalogue cache entry");
            }

            var payload = entry.AsSpan(Magic.Length, payloadLength);
            if (!SHA256.HashData(payload).AsSpan().SequenceEqual(entry.AsSpan(Magic.Length + payloadLength)))
            {
                throw new InvalidDataException("checksum mismatch");
            }

            using var reader = new BinaryReader(new MemoryStream(entry, Magic.Length, payloadLength, writable: false), Encoding.UTF8);
            return Deserialize(reader);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or ArgumentException or FormatException)
        {
            TryDelete(path); // parse the files, and write a good entry
            return null;
        }
    }

    private static void TryWrite(string directory, string path, RouteCatalog catalog)
    {
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
            {
                Serialize(writer, catalog);
            }

            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(Magic);
                file.Write(payload.GetBuffer().AsSpan(0, (int)payload.Length));
                file.Write(SHA256.HashData(payload.GetBuffer().AsSpan(0, (int)payload.Length)));
            }

            File.Move(temp, path, overwrite: true);
            foreach (var stale in new DirectoryInfo(directory).EnumerateFiles("*.bin").OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxEntries))
            {
                TryDelete(stale.FullName);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unwritable cache only costs the next start a parse.
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void Serialize(BinaryWriter w, RouteCatalog catalog)
    {
        w.Write(catalog.ContentHash);
        WriteList(w, catalog.Files, w.Write);
        w.Write(catalog.Models.SourceFile);
        WriteList(w, catalog.Models.Models, m =>
        {
            w.Write(m.Name);
            w.Write(m.InputCostPerMillionTokens);
            w.Write(m.OutputCostPerMillionTokens);
            WriteOptional(w, m.MaxContextTokens, w.Write);
            WriteOptional(w, m.Provider, w.Write);
            WriteOptional(w, m.Description, w.Write);
            WriteMetadata(w, m.Metadata);
            w.Write(m.Line);
        });
        WriteList(w, catalog.Routes, r =>
        {
            w.Write(r.Name);
            w.Write(r.Description);
            WriteList(w, r.Utterances, w.Write);
            WriteList(w, r.Targets, t =>
            {
                w.Write(t.Model);
                w.Write(t.Prior);
            });
            WriteOptional(w, r.Threshold, w.Write);
            WriteMetadata(w, r.Metadata);
            w.Write(r.SourceFile);
            w.Write(r.Line);
        });
    }

    private static RouteCatalog Deserialize(BinaryReader r)
    {
        string hash = r.ReadString();
        var files = ReadList(r, r.ReadString);
        string modelsFile = r.ReadString();
        var models = ReadList(r, () => new TargetModel(r.ReadString(), r.ReadDouble(), r.ReadDouble(), ReadOptional(r, r.ReadInt32))
        {
            Provider = ReadOptionalString(r),
            Description = ReadOptionalString(r),
            Metadata = ReadMetadata(r),
            Line = r.ReadInt32(),
        });
        var routes = ReadList(r, () => new Route(
            r.ReadString(),
            r.ReadString(),
            ReadList(r, r.ReadString).AsReadOnly(),
            ReadList(r, () => new RouteTarget(r.ReadString(), r.ReadDouble())),
            ReadOptional(r, r.ReadDouble),
            ReadMetadata(r),
            r.ReadString(),
            r.ReadInt32()));
        if (r.BaseStream.Position != r.BaseStream.Length)
        {
            throw new InvalidDataException("trailing bytes");
        }

        return new RouteCatalog(routes, new ModelCatalog(models, modelsFile), files, hash);
    }

    private static void WriteList<T>(BinaryWriter w, IReadOnlyCollection<T> items, Action<T> write)
    {
        w.Write(items.Count);
        foreach (var item in items)
        {
            write(item);
        }
    }

    private static List<T> ReadList<T>(BinaryReader r, Func<T> read)
    {
        int count = r.ReadInt32();
        if (count < 0 || count > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"list of {count} items");
        }

        var list = new List<T>(count);
        for (int i = 0; i < count; i++)
        {
            list.Add(read());
        }

        return list;
    }

    private static void WriteOptional<T>(BinaryWriter w, T? value, Action<T> write)
        where T : struct
    {
        w.Write(value.HasValue);
        if (value is { } v)
        {
            write(v);
        }
    }

    private static void WriteOptional(BinaryWriter w, string? value, Action<string> write)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            write(value);
        }
    }

    private static T? ReadOptional<T>(BinaryReader r, Func<T> read)
        where T : struct => r.ReadBoolean() ? read() : null;

    private static string? ReadOptionalString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static void WriteMetadata(BinaryWriter w, IReadOnlyDictionary<string, string> metadata)
    {
        w.Write(metadata.Count);
        foreach (var (key, value) in metadata)
        {
            w.Write(key);
            w.Write(value);
        }
    }

    private static IReadOnlyDictionary<string, string> ReadMetadata(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count == 0)
        {
            return TargetModel.EmptyMetadata;
        }

        var map = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            map.Add(r.ReadString(), r.ReadString());
        }

        return map.AsReadOnly();
    }
}
