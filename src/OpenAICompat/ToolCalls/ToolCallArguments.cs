using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.ToolCalls;

/// <summary>A printed tool call made valid: an offered tool's name and its input as a JSON object.</summary>
internal readonly record struct ResolvedToolCall(string Name, string InputJson);

/// <summary>
/// Turns what a model printed into calls Claude Code can run, or says why not. Parameter values printed as raw
/// text (Qwen3-Coder, GLM) are converted by the tool's schema: integer, number and boolean when they read as one,
/// object and array as (repaired) JSON, strings verbatim. JSON arguments are repaired when slightly broken.
/// </summary>
internal static class ToolCallArguments
{
    /// <summary>Calls from raw-text parameters; null with a reason when the tool was not offered.</summary>
    public static ResolvedToolCall? FromParameters(string name, IReadOnlyList<KeyValuePair<string, string>> parameters, OfferedTools tools, out string? problem)
    {
        if (tools.Find(name) is not { } tool)
        {
            problem = NotOffered(name);
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in parameters)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value, OfferedTools.PropertyType(tool, key));
            }

            writer.WriteEndObject();
        }

        problem = null;
        return new ResolvedToolCall(tool.Name, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>A call from a name and JSON arguments (an object, a string holding one, or absent).</summary>
    public static ResolvedToolCall? FromJson(string name, JsonElement? arguments, OfferedTools tools, out string? problem)
    {
        if (tools.Find(name) is not { } tool)
        {
            problem = NotOffered(name);
            return null;
        }

        string? input = arguments switch
        {
            null or { ValueKind: JsonValueKind.Null } => "{}",
            { ValueKind: JsonValueKind.Object } o => o.GetRawText(),
            { ValueKind: JsonValueKind.String } s => s.GetString() is { } text && string.IsNullOrWhiteSpace(text) ? "{}" : JsonRepair.TryRepairObject(s.GetString()!),
            _ => null,
        };
        if (input is null)
        {
            problem = $"the model printed a call to '{tool.Name}' whose arguments are not a JSON object; it was left as text";
            return null;
        }

        problem = null;
        return new ResolvedToolCall(tool.Name, input);
    }

    /// <summary>
    /// Reads printed JSON (repaired when needed) holding one call object or an array of them: each with
    /// <c>name</c> and <c>arguments</c> or <c>parameters</c>. Null with a reason when any of them cannot be used.
    /// </summary>
    public static List<ResolvedToolCall>? FromCallJson(string text, OfferedTools tools, out string? problem)
    {
        if (JsonRepair.TryRepair(text) is not { } json)
        {
            problem = "the model printed a tool call that is not JSON; it was left as text";
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var objects = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
        var calls = new List<ResolvedToolCall>();
        foreach (var call in objects)
        {
            if (call.ValueKind != JsonValueKind.Object)
            {
                problem = "the model printed a tool call that is not a JSON object; it was left as text";
                return null;
            }

            var body = call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? function : call;
            if (!body.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(name.GetString()))
            {
                problem = "the model printed a tool call without a name; it was left as text";
                return null;
            }

            JsonElement? arguments = body.TryGetProperty("arguments", out var a) ? a : body.TryGetProperty("parameters", out var p) ? p : null;
            if (FromJson(name.GetString()!, arguments, tools, out problem) is not { } resolved)
            {
                return null;
            }

            calls.Add(resolved);
        }

        problem = calls.Count == 0 ? "the model printed an empty list of tool calls; it was left as text" : null;
        return calls.Count == 0 ? null : calls;
    }

    /// <summary>Native <c>tool_calls</c> arguments made a JSON object: repaired when broken; null when they cannot be.</summary>
    public static string? RepairNative(string arguments) =>
        string.IsNullOrWhiteSpace(arguments) ? "{}" : JsonRepair.TryRepairObject(arguments);

    private static string NotOffered(string name) =>
        $"the model printed a call to the tool '{name}', which the request did not offer; it was left as text";

    private static void WriteValue(Utf8JsonWriter writer, string value, string? type)
    {
        string trimmed = value.Trim();
        switch (type)
        {
            case "integer" when long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer):
                writer.WriteNumberValue(integer);
                return;
            case "integer" or "number" when double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number):
                writer.WriteNumberValue(number);
                return;
            case "boolean" when bool.TryParse(trimmed, out bool flag):
                writer.WriteBooleanValue(flag);
                return;
            case "object" or "array" when JsonRepair.TryRepair(trimmed) is { } json && json[0] == (type == "object" ? '{' : '['):
                writer.WriteRawValue(json);
                return;
            case "null" when trimmed is "null" or "None":
                writer.WriteNullValue();
                return;
            default:
                writer.WriteStringValue(value);
                return;
        }
    }
}
