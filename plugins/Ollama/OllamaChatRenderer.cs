using System.Buffers;
using System.Text;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Plugins.Ollama;

/// <summary>What a request to <c>/api/chat</c> carries besides the conversation.</summary>
internal sealed record OllamaChatOptions
{
    public required string Model { get; init; }

    /// <summary>The context window to load the model with (<c>options.num_ctx</c>); Ollama's own default can be 4k and truncates silently.</summary>
    public required int NumCtx { get; init; }

    public required int MaxOutputTokens { get; init; }

    /// <summary>The model thinks (its <c>/api/show</c> capabilities list <c>thinking</c>): <c>think</c> may be sent; to others it is a 400.</summary>
    public bool ModelThinks { get; init; }

    public bool SupportsImages { get; init; }

    /// <summary>How long Ollama keeps the model (and its KV cache) loaded after the request; null leaves the server's default.</summary>
    public string? KeepAlive { get; init; }
}

/// <summary>
/// Renders a Messages request as Ollama's native <c>/api/chat</c> body. The same request renders to the same bytes;
/// <c>cache_control</c> is never written; tool results go as <c>role: tool</c> messages with the tool's name (Ollama's
/// templates use <c>tool_name</c>), right after the assistant's calls; a mid-conversation system message stays in
/// place as a user-side <c>&lt;system-reminder&gt;</c>; <c>truncate: false</c> makes a prompt too long for the window
/// an error instead of Ollama silently dropping the oldest messages.
/// </summary>
internal static class OllamaChatRenderer
{
    public static byte[] Render(MessagesRequest request, OllamaChatOptions options, bool stream, ICollection<string> warnings)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", options.Model);
            writer.WriteStartArray("messages");
            if (request.System is { Count: > 0 } system)
            {
                WriteMessage(writer, "system", Join(system.Select(b => b.Text)));
            }

            var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var message in request.Messages)
            {
                switch (message.Role)
                {
                    case MessageRoles.Assistant:
                        WriteAssistant(writer, message, toolNames);
                        break;
                    case MessageRoles.System:
                        WriteMessage(writer, "user", SystemReminder.Of(message));
                        break;
                    default:
                        WriteUser(writer, message, toolNames, options, warnings);
                        break;
                }
            }

            writer.WriteEndArray();
            if (request.Tools is { Count: > 0 } tools && request.ToolChoice?.Type != "none")
            {
                writer.WriteStartArray("tools");
                foreach (var tool in tools)
                {
                    writer.WriteStartObject();
                    writer.WriteString("type", "function");
                    writer.WriteStartObject("function");
                    writer.WriteString("name", tool.Name);
                    if (tool.Description is { } description)
                    {
                        writer.WriteString("description", description);
                    }

                    writer.WritePropertyName("parameters");
                    tool.InputSchema.WriteTo(writer);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteBoolean("stream", stream);
            if (options.ModelThinks && request.Thinking is { } thinking)
            {
                writer.WriteBoolean("think", thinking.IsEnabled);
            }

            if (options.KeepAlive is { Length: > 0 } keepAlive)
            {
                writer.WriteString("keep_alive", keepAlive);
            }

            writer.WriteBoolean("truncate", false);
            writer.WriteStartObject("options");
            writer.WriteNumber("num_ctx", options.NumCtx);
            writer.WriteNumber("num_predict", Math.Min(request.MaxTokens ?? options.MaxOutputTokens, options.MaxOutputTokens));
            WriteNumber(writer, "temperature", request.Temperature);
            WriteNumber(writer, "top_p", request.TopP);
            if (request.TopK is { } topK)
            {
                writer.WriteNumber("top_k", topK);
            }

            if (request.StopSequences is { Count: > 0 } stops)
            {
                writer.WriteStartArray("stop");
                foreach (string stop in stops)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, Message message, Dictionary<string, string> toolNames)
    {
        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        writer.WriteString("content", Join(message.Content.OfType<TextBlock>().Select(b => b.Text)));
        if (message.Content.OfType<ThinkingBlock>().Select(b => b.Thinking).Where(t => t.Length > 0).ToList() is { Count: > 0 } thoughts)
        {
            writer.WriteString("thinking", Join(thoughts));
        }

        var calls = message.Content.OfType<ToolUseBlock>().ToList();
        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                toolNames[call.Id] = call.Name;
                writer.WriteStartObject();
                writer.WriteString("id", call.Id);
                writer.WriteStartObject("function");
                writer.WriteString("name", call.Name);
                writer.WritePropertyName("arguments");
                if (call.Input.ValueKind == JsonValueKind.Object)
                {
                    call.Input.WriteTo(writer);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteUser(Utf8JsonWriter writer, Message message, Dictionary<string, string> toolNames, OllamaChatOptions options, ICollection<string> warnings)
    {
        var text = new List<string>();
        var images = new List<string>();
        foreach (var block in message.Content)
        {
            switch (block)
            {
                case ToolResultBlock result:
                    WriteToolResult(writer, result, toolNames, images, options, warnings);
                    break;
                case TextBlock t:
                    text.Add(t.Text);
                    break;
                case ImageBlock image:
                    AddImage(image, text, images, options, warnings);
                    break;
                case DocumentBlock { Source: { Type: "text", Data: { } data } }:
                    text.Add(data);
                    break;
                default:
                    warnings.Add($"a '{block.Type}' block was left out: Ollama's chat API takes text and images");
                    break;
            }
        }

        if (text.Count == 0 && images.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "user");
        writer.WriteString("content", Join(text));
        WriteImages(writer, images);
        writer.WriteEndObject();
    }

    private static void WriteToolResult(
        Utf8JsonWriter writer, ToolResultBlock result, Dictionary<string, string> toolNames, List<string> followingImages, OllamaChatOptions options, ICollection<string> warnings)
    {
        var text = new StringBuilder(result.IsError == true ? "Error: " : "");
        var pieces = new List<string>();
        foreach (var block in result.Content ?? [])
        {
            switch (block)
            {
                case TextBlock t:
                    pieces.Add(t.Text);
                    break;
                case ImageBlock image:
                    // A tool message carries text; its images ride in the user message that follows.
                    AddImage(image, pieces, followingImages, options, warnings);
                    break;
                default:
                    pieces.Add($"[{block.Type}]");
                    break;
            }
        }

        text.Append(Join(pieces));
        writer.WriteStartObject();
        writer.WriteString("role", "tool");
        writer.WriteString("content", text.ToString());
        if (toolNames.TryGetValue(result.ToolUseId, out string? name))
        {
            writer.WriteString("tool_name", name);
        }

        writer.WriteString("tool_call_id", result.ToolUseId);
        writer.WriteEndObject();
    }

    private static void AddImage(ImageBlock image, List<string> text, List<string> images, OllamaChatOptions options, ICollection<string> warnings)
    {
        if (!options.SupportsImages)
        {
            text.Add("[image omitted: the model does not take images]");
            warnings.Add($"an image was left out: Ollama's model '{options.Model}' has no vision capability");
        }
        else if (image.Source is { Type: "base64", Data: { } data })
        {
            images.Add(data);
        }
        else
        {
            text.Add("[image omitted: Ollama takes base64 images only]");
            warnings.Add("an image given by URL was left out: Ollama takes base64 images only");
        }
    }

    private static void WriteImages(Utf8JsonWriter writer, List<string> images)
    {
        if (images.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("images");
        foreach (string image in images)
        {
            writer.WriteStringValue(image);
        }

        writer.WriteEndArray();
    }

    private static void WriteMessage(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static string Join(IEnumerable<string> pieces) => string.Join("\n\n", pieces);
}
