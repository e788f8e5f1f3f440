using System.Text;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>
/// Writes tool calls, tool results and tool definitions the way a model family prints and reads them, for tool
/// emulation. Every output is a pure function of its input (schemas and arguments as their received JSON), so a
/// conversation renders to the same bytes turn after turn and the server's prefix cache keeps hitting.
/// </summary>
public static class ToolCallPrinter
{
    /// <summary>A call, as the model of <paramref name="format"/> would have printed it.</summary>
    public static string Call(ToolCallFormat format, string name, JsonElement input)
    {
        string arguments = input.ValueKind == JsonValueKind.Object ? input.GetRawText() : "{}";
        string quotedName = JsonSerializer.Serialize(name, ToolCallsJsonContext.Default.String);
        return format switch
        {
            ToolCallFormat.Qwen3Coder => $"<tool_call>\n<function={name}>\n{Pairs(input, (k, v) => $"<parameter={k}>\n{v}\n</parameter>\n")}</function>\n</tool_call>",
            ToolCallFormat.Glm => $"<tool_call>{name}\n{Pairs(input, (k, v) => $"<arg_key>{k}</arg_key>\n<arg_value>{v}</arg_value>\n")}</tool_call>",
            ToolCallFormat.Llama3 => $"<|python_tag|>{{\"name\": {quotedName}, \"parameters\": {arguments}}}",
            ToolCallFormat.Mistral => $"[TOOL_CALLS]{name}[ARGS]{arguments}",
            ToolCallFormat.LmStudio => $"[TOOL_REQUEST]{{\"name\": {quotedName}, \"arguments\": {arguments}}}[END_TOOL_REQUEST]",
            ToolCallFormat.DeepSeek => $"{DeepSeekSyntax.CallsBegin}{DeepSeekSyntax.CallBegin}{name}{DeepSeekSyntax.Separator}{arguments}{DeepSeekSyntax.CallEnd}{DeepSeekSyntax.CallsEnd}",
            ToolCallFormat.Kimi => $"{KimiSyntax.SectionBegin}{KimiSyntax.CallBegin}functions.{name}:0{KimiSyntax.ArgumentBegin}{arguments}{KimiSyntax.CallEnd}{KimiSyntax.SectionEnd}",
            _ => $"<tool_call>\n{{\"name\": {quotedName}, \"arguments\": {arguments}}}\n</tool_call>",
        };
    }

    /// <summary>A tool's result, as the model of <paramref name="format"/> reads one.</summary>
    public static string Result(ToolCallFormat format, string name, string content, bool isError)
    {
        string text = isError ? $"Error from {name}: {content}" : content;
        return format == ToolCallFormat.Mistral
            ? $"[TOOL_RESULTS]{text}[/TOOL_RESULTS]"
            : $"<tool_response>\n{text}\n</tool_response>";
    }

    /// <summary>The system-prompt text that offers <paramref name="tools"/> and says how to call them.</summary>
    public static string Instructions(ToolCallFormat format, IReadOnlyList<Tool> tools)
    {
        var text = new StringBuilder();
        text.Append("# Tools\n\nYou can call the tools below. Each line describes one as JSON: its name, what it does, and its parameters as a JSON Schema.\n\n<tools>\n");
        foreach (var tool in tools)
        {
            text.Append("{\"name\": ").Append(JsonSerializer.Serialize(tool.Name, ToolCallsJsonContext.Default.String));
            if (tool.Description is { } description)
            {
                text.Append(", \"description\": ").Append(JsonSerializer.Serialize(description, ToolCallsJsonContext.Default.String));
            }

            text.Append(", \"parameters\": ").Append(tool.InputSchema.ValueKind == JsonValueKind.Object ? tool.InputSchema.GetRawText() : "{}").Append("}\n");
        }

        using var example = JsonDocument.Parse("""{"example_parameter": "value"}""");
        text.Append("</tools>\n\nTo call a tool, write the call exactly in this form (one block per call; several calls may follow each other), then stop and wait:\n")
            .Append(Call(format, "example_tool", example.RootElement))
            .Append("\n\nEach result comes back in the next user message as ")
            .Append(format == ToolCallFormat.Mistral ? "[TOOL_RESULTS]…[/TOOL_RESULTS]" : "<tool_response>…</tool_response>")
            .Append(". Call only the tools listed above.");
        return text.ToString();
    }

    /// <summary>Each argument as <c>key</c> and raw value (strings verbatim, anything else as its JSON).</summary>
    private static string Pairs(JsonElement input, Func<string, string, string> pair)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var property in input.EnumerateObject())
        {
            text.Append(pair(property.Name, property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()));
        }

        return text.ToString();
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class ToolCallsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
