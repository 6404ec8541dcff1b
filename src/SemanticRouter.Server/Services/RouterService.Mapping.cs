using System.Text;
using Google.Protobuf.Collections;
using SemanticRouter.Grpc.V1;
using SemanticRouter.Server.Engine;

namespace SemanticRouter.Server.Services;

// The contract (namespace SemanticRouter) has records of the same names; these are the backend's.
using ConversationTurn = SemanticRouter.Server.Engine.ConversationTurn;
using OutcomeReport = SemanticRouter.Server.Engine.OutcomeReport;

/// <summary>Request validation and proto ↔ engine record mapping.</summary>
internal sealed partial class RouterService
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    private static RouterInputException Invalid(string message) => new(RouterErrorKind.InvalidArgument, message);

    private void ValidateQuery(string text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Invalid($"{field} must not be empty or whitespace.");
        }

        // Cheap upper bound first: most queries are far below the limit.
        if (text.Length * 3 > _options.MaxQueryBytes)
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes > _options.MaxQueryBytes)
            {
                throw Invalid($"{field} is {bytes} bytes of UTF-8; the limit is {_options.MaxQueryBytes}.");
            }
        }
    }

    private int ResolveK(int k) => k switch
    {
        0 => _options.DefaultK,
        < 0 => throw Invalid($"k must be ≥ 1 (or 0 for the server default of {_options.DefaultK}), not {k}."),
        _ when k > _options.MaxK => throw Invalid($"k must be at most {_options.MaxK}, not {k}."),
        _ => k,
    };

    private static void ValidateModelNames(RepeatedField<string> names, string field)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(names[i]))
            {
                throw Invalid($"{field}[{i}] must not be empty.");
            }
        }
    }

    private List<ConversationTurn> ToHistory(RepeatedField<Turn> turns)
    {
        var history = new List<ConversationTurn>(turns.Count);
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            if (turn.Text.Length > 0)
            {
                ValidateQuery(turn.Text, $"history[{i}].text");
            }

            history.Add(new ConversationTurn(turn.Role, turn.Text));
        }

        return history;
    }

    private static RouteMatch ToProto(RouteDecision match) => new()
    {
        Route = match.Route,
        Confidence = match.Confidence,
        Abstained = match.Abstained,
        FallbackRoute = match.FallbackRoute ?? string.Empty,
        Threshold = match.Threshold,
    };

    private static Neighbor ToProto(NeighborInfo neighbor)
    {
        var proto = new Neighbor
        {
            Utterance = neighbor.Utterance,
            Route = neighbor.Route,
            Similarity = neighbor.Similarity,
            Weight = neighbor.Weight,
        };
        if (neighbor.Models is { } models)
        {
            foreach (var m in models)
            {
                proto.Models.Add(new ModelStats { Model = m.Model, Successes = m.Successes, Trials = m.Trials, Estimate = m.Estimate });
            }
        }

        return proto;
    }

    private static string Abbreviate(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");
}
