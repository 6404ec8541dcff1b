using System.Diagnostics;
using SemanticRouter.Artifacts;
using SemanticRouter.Embeddings;

namespace SemanticRouter.Startup;

/// <summary>An index artefact, the encoder for its model, and what loading them took.</summary>
public sealed record LoadedRouter(RouterArtifact Artifact, SentenceEncoder Encoder, StartupTimings Timings);

/// <summary>
/// What a server does before it can answer: load the index artefact and create the model's session.
/// The two are independent, so they run side by side (the session on a pool thread, the artefact on
/// the calling one, its graph on another), and both are warmed up — one model run, one search — so
/// that the first request does not pay ONNX Runtime's first-run allocations or the search's JIT.
/// </summary>
public static class RouterStartup
{
    /// <summary>Loads <paramref name="indexDirectory"/> (verified; it must have been built with <paramref name="model"/>) and opens the encoder.</summary>
    /// <exception cref="ArtifactException">The artefact is missing, corrupt or built with another model (reported before any model error).</exception>
    /// <exception cref="ModelFolderException">ONNX Runtime cannot load the model.</exception>
    public static LoadedRouter Load(string indexDirectory, ModelFolder model, SentenceEncoderOptions? encoderOptions = null)
    {
        ArgumentNullException.ThrowIfNull(indexDirectory);
        ArgumentNullException.ThrowIfNull(model);
        var clock = Stopwatch.StartNew();
        string fingerprint = model.Fingerprint; // computed (or read from its cache) once, before the two sides need it
        // Queries are read as the index's utterances were (its long-input policy); a bad manifest is the artefact's error.
        var queryOptions = SentenceEncoderOptions.ForIndex(encoderOptions, LongInputOf(indexDirectory));
        var encoderTask = Task.Run(() =>
        {
            var encoder = new SentenceEncoder(model, queryOptions);
            long t0 = Stopwatch.GetTimestamp();
            float[] warm = encoder.Embed("warm up");
            return (encoder, warm, Stopwatch.GetElapsedTime(t0));
        });

        RouterArtifact artifact;
        try
        {
            artifact = RouterArtifact.Load(indexDirectory, fingerprint);
        }
        catch
        {
            // The artefact's error is the one reported; the encoder is not leaked either way.
            Task.WaitAny(encoderTask);
            if (encoderTask.IsCompletedSuccessfully)
            {
                encoderTask.Result.encoder.Dispose();
            }

            throw;
        }

        var (encoder, vector, encoderWarmup) = encoderTask.GetAwaiter().GetResult();
        long s0 = Stopwatch.GetTimestamp();
        if (artifact.Index.Count > 0)
        {
            _ = artifact.Index.Search(vector, Math.Min(10, artifact.Index.Count));
        }

        var searchWarmup = Stopwatch.GetElapsedTime(s0);
        return new LoadedRouter(artifact, encoder, new StartupTimings(
            artifact.LoadTimings, encoder.SessionCreationTime, encoder.CacheUse, encoderWarmup, searchWarmup, clock.Elapsed));
    }

    /// <summary>The long-input policy an index's utterances were embedded with (head when its manifest names none).</summary>
    /// <exception cref="ArtifactException">No readable manifest, or a policy this program does not know.</exception>
    public static LongInputPolicy LongInputOf(string indexDirectory) => LongInputOf(RouterArtifact.ReadManifest(indexDirectory), indexDirectory);

    /// <summary>The long-input policy a manifest already read names (head when it names none).</summary>
    /// <exception cref="ArtifactException">A policy this program does not know.</exception>
    public static LongInputPolicy LongInputOf(ArtifactManifest manifest, string indexDirectory)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        try
        {
            return manifest.Model.LongInputPolicy;
        }
        catch (FormatException e)
        {
            throw new ArtifactException(Path.Combine(indexDirectory, ArtifactFiles.Manifest), e.Message);
        }
    }
}
