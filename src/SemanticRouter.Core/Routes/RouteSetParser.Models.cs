using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SemanticRouter.Routes;

/// <summary>The model catalogue (<c>models.yaml</c>): each model's name, provider, cost and context.</summary>
internal sealed partial class RouteSetParser
{
    private void ParseModelsFile(string file, YamlMappingNode root)
    {
        var keys = CheckKeys(file, root, ModelsFileKeys, "the model catalogue");
        if (!keys.TryGetValue("models", out var modelsNode))
        {
            Error(file, root, "missing required key 'models'");
            return;
        }

        if (modelsNode is not YamlSequenceNode list)
        {
            Error(file, modelsNode, "'models' must be a list of models");
            return;
        }

        if (list.Children.Count == 0)
        {
            Error(file, list, "'models' is empty: declare at least one model");
        }

        foreach (var item in list.Children)
        {
            ParseModel(file, item);
        }
    }

    private void ParseModel(string file, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(file, node, "each model must be a mapping with 'name' and 'cost'");
            return;
        }

        var keys = CheckKeys(file, map, ModelKeys, "a model");
        var name = RequiredString(file, map, keys, "name", "model");
        if (name is not null && !RouteNames.IsValidModelName(name))
        {
            Error(file, keys["name"], $"invalid model name '{name}': use ASCII letters, digits and _ . - : / @ + (pattern {RouteNames.ModelPattern})");
            name = null;
        }

        double? input = null, output = null;
        if (!keys.TryGetValue("cost", out var costNode))
        {
            Error(file, map, $"model '{name}': missing required key 'cost' (with 'input' and 'output' per million tokens)");
        }
        else if (costNode is not YamlMappingNode cost)
        {
            Error(file, costNode, "'cost' must be a mapping with 'input' and 'output' (per million tokens)");
        }
        else
        {
            var costKeys = CheckKeys(file, cost, CostKeys, "'cost'");
            input = RequiredNumber(file, cost, costKeys, "input", "cost", 0, double.MaxValue, "a cost must be a number >= 0");
            output = RequiredNumber(file, cost, costKeys, "output", "cost", 0, double.MaxValue, "a cost must be a number >= 0");
        }

        int? maxContext = null;
        var contextOk = true;
        if (keys.TryGetValue("max_context", out var contextNode))
        {
            if (contextNode is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) && tokens > 0)
            {
                maxContext = tokens;
            }
            else
            {
                Error(file, contextNode, "'max_context' must be a positive whole number of tokens");
                contextOk = false;
            }
        }

        var provider = OptionalString(file, keys, "provider");
        var description = OptionalString(file, keys, "description");
        var metadata = OptionalMap(file, keys, "metadata");

        if (name is null || input is null || output is null || !contextOk)
        {
            return;
        }

        if (modelsByName.TryGetValue(name, out var first))
        {
            Error(file, keys["name"], $"duplicate model '{name}' (first declared at line {first.Line})");
            return;
        }

        var model = new TargetModel(name, input.Value, output.Value, maxContext)
        {
            Provider = provider,
            Description = description,
            Metadata = metadata ?? TargetModel.EmptyMetadata,
            Line = Line(map),
        };
        modelsByName.Add(name, model);
        models.Add(model);
    }
}
