using SemanticRouter.Embeddings;

namespace SemanticRouter.Server.Composition;

/// <summary>
/// The model a server's encoder runs, as operators see it: the start-up log (event 15), the health details
/// and <c>semantic_router_model_info</c> name it, so a server on the wrong model (say an int8 folder) is visible.
/// </summary>
/// <param name="Name">The model folder's name (e.g. all-MiniLM-L6-v2).</param>
/// <param name="Sha256">Hex sha256 of its model.onnx (what the index records).</param>
/// <param name="Directory">The folder.</param>
/// <param name="IntraOpThreads">ONNX Runtime threads per model run.</param>
/// <param name="Spinning">How those threads wait for work.</param>
public sealed record ServedModel(string Name, string Sha256, string Directory, int IntraOpThreads, IntraOpSpinning Spinning)
{
    internal static ServedModel Of(SentenceEncoder encoder) =>
        new(encoder.Model.Name, encoder.Model.Fingerprint, encoder.Model.Directory, encoder.IntraOpThreads, encoder.Spinning);
}
