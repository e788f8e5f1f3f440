using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>The tools a request offered, by name (exact first, then ignoring case), with their input schemas.</summary>
internal sealed class OfferedTools
{
    private readonly Dictionary<string, Tool> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tool> _loose = new(StringComparer.OrdinalIgnoreCase);

    public OfferedTools(IEnumerable<Tool> tools)
    {
        foreach (var tool in tools)
        {
            _exact.TryAdd(tool.Name, tool);
            _loose.TryAdd(tool.Name, tool);
        }
    }

    public int Count => _exact.Count;

    public Tool? Find(string name) =>
        _exact.TryGetValue(name, out var tool) || _loose.TryGetValue(name.Trim(), out tool) ? tool : null;

    /// <summary>The JSON-schema <c>type</c> of one property of a tool's input (the first that is not <c>null</c> when several are allowed).</summary>
    public static string? PropertyType(Tool tool, string property)
    {
        if (tool.InputSchema.ValueKind != JsonValueKind.Object
            || !tool.InputSchema.TryGetProperty("properties", out var properties)
            || properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty(property, out var schema)
            || schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return TypeOf(schema);
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString();
            }

            if (type.ValueKind == JsonValueKind.Array)
            {
                return type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()).FirstOrDefault(t => t != "null");
            }
        }

        foreach (string keyword in (string[])["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var options) && options.ValueKind == JsonValueKind.Array)
            {
                foreach (var option in options.EnumerateArray())
                {
                    if (option.ValueKind == JsonValueKind.Object && TypeOf(option) is { } found && found != "null")
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }
}
