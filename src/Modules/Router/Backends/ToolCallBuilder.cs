using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AuroraNode.Modules.Router.Backends;

/// <summary>
/// Puts together the tool calls an OpenAI server streams in parts (a name, then its arguments piece by piece) into
/// Ollama's <c>tool_calls: [{function: {name, arguments: {...}}}]</c>, which come whole.
/// </summary>
internal sealed class ToolCallBuilder
{
    private readonly SortedDictionary<int, (StringBuilder Name, StringBuilder Arguments)> calls = [];

    public bool Any => calls.Count > 0;

    public void Add(IReadOnlyList<ToolCallPart> parts)
    {
        foreach (var part in parts)
        {
            if (!calls.TryGetValue(part.Index, out var call))
            {
                call = (new StringBuilder(), new StringBuilder());
                calls[part.Index] = call;
            }

            call.Name.Append(part.Name);
            call.Arguments.Append(part.Arguments);
        }
    }

    public JsonArray ToOllama()
    {
        var list = new JsonArray();
        foreach (var (name, arguments) in calls.Values)
        {
            list.Add(new JsonObject { ["function"] = new JsonObject { ["name"] = name.ToString(), ["arguments"] = Arguments(arguments.ToString()) } });
        }

        return list;
    }

    // Ollama's arguments are an object; a server that sent something else has it kept as the string it sent.
    private static JsonNode? Arguments(string json)
    {
        if (json.Length == 0)
        {
            return new JsonObject();
        }

        try
        {
            return JsonNode.Parse(json) is JsonObject parsed ? parsed : JsonValue.Create(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
