using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.Rendering;

/// <summary>
/// Renders an Anthropic request as an OpenAI Chat Completions body. The output is a pure function of the
/// request and the options, and earlier messages render to the same bytes whatever follows them, so a
/// server's prefix cache hits on every follow-up turn. <c>cache_control</c> is never rendered.
/// </summary>
public static class ChatRequestRenderer
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] Render(MessagesRequest request, ChatRenderOptions options, ICollection<string> warnings)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        RenderTo(buffer, request, options, warnings);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Renders into <paramref name="output"/> (the streaming path passes a pooled buffer, so a Claude Code-sized
    /// body of 100 KB costs no large-object allocation). The bytes are the same as <see cref="Render"/>'s.
    /// </summary>
    public static void RenderTo(IBufferWriter<byte> output, MessagesRequest request, ChatRenderOptions options, ICollection<string> warnings)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Write(writer, request, options, warnings);
    }

    private static void Write(Utf8JsonWriter writer, MessagesRequest request, ChatRenderOptions options, ICollection<string> warnings)
    {
        writer.WriteStartObject();
        writer.WriteString("model", options.Model);

        writer.WriteStartArray("messages");
        WriteSystem(writer, request.System);
        foreach (var message in request.Messages)
        {
            WriteMessage(writer, message, options, warnings);
        }

        writer.WriteEndArray();

        bool hasTools = WriteTools(writer, request.Tools, warnings);
        if (hasTools && request.ToolChoice is { } toolChoice)
        {
            WriteToolChoice(writer, toolChoice);
        }

        if (hasTools && options.ParallelToolCalls is { } parallel)
        {
            writer.WriteBoolean("parallel_tool_calls", parallel);
        }

        int maxTokens = Math.Min(request.MaxTokens ?? options.MaxOutputTokens, options.MaxOutputTokens);
        writer.WriteNumber(options.MaxTokensField, Math.Max(1, maxTokens));
        if (request.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (request.TopP is { } topP)
        {
            writer.WriteNumber("top_p", topP);
        }

        if (request.TopK is { } topK)
        {
            writer.WriteNumber("top_k", topK);
        }

        WriteThinking(writer, request, options.ThinkingStyle);
        options.ExtraFields?.Invoke(writer);

        writer.WriteBoolean("stream", options.Stream);
        if (options.Stream)
        {
            writer.WriteStartObject("stream_options");
            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteSystem(Utf8JsonWriter writer, List<TextBlock>? system)
    {
        if (system is not { Count: > 0 })
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "system");
        writer.WritePropertyName("content");
        if (!QuotedText.TryWriteJoined(writer, system))
        {
            WriteJoinedSystemText(writer, system);
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The blocks joined by a blank line, written in segments: the same bytes as writing the joined string, without
    /// building a string of the whole system prompt (tens of KB, every request).
    /// </summary>
    private static void WriteJoinedSystemText(Utf8JsonWriter writer, List<TextBlock> system)
    {
        if (system.Count == 1)
        {
            writer.WriteStringValue(system[0].Text);
            return;
        }

        for (int i = 0; i < system.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteStringValueSegment("\n\n".AsSpan(), isFinalSegment: false);
            }

            writer.WriteStringValueSegment(system[i].Text.AsSpan(), isFinalSegment: false);
        }

        writer.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
    }

    private static void WriteMessage(Utf8JsonWriter writer, Message message, ChatRenderOptions options, ICollection<string> warnings)
    {
        switch (message.Role)
        {
            case MessageRoles.Assistant:
                WriteAssistant(writer, message, options, warnings);
                break;
            case MessageRoles.System:
                // Chat templates reject a system message that is not first; kept in place as user-side text
                // so that everything before it stays byte-identical.
                WriteTextMessage(writer, "user", SystemReminder.Of(message));
                break;
            default:
                WriteUser(writer, message, options, warnings);
                break;
        }
    }

    private static void WriteUser(Utf8JsonWriter writer, Message message, ChatRenderOptions options, ICollection<string> warnings)
    {
        if (message.Content.Count > 0 && message.Content.TrueForAll(block => block is TextBlock))
        {
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WritePropertyName("content");
            if (!QuotedText.TryWriteJoined(writer, message.Content))
            {
                writer.WriteStringValue(JoinText(message.Content.Select(block => ((TextBlock)block).Text)));
            }

            writer.WriteEndObject();
            return;
        }

        var parts = new List<UserPart>();
        foreach (var block in message.Content)
        {
            if (block is ToolResultBlock result)
            {
                WriteToolResult(writer, result, parts, options, warnings);
            }
            else
            {
                AddUserPart(parts, block, options, warnings);
            }
        }

        if (parts.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "user");
        if (parts.TrueForAll(p => p.ImageUrl is null))
        {
            writer.WriteString("content", JoinText(parts.Select(p => p.Text!)));
        }
        else
        {
            writer.WriteStartArray("content");
            foreach (var part in parts)
            {
                writer.WriteStartObject();
                if (part.ImageUrl is { } url)
                {
                    writer.WriteString("type", "image_url");
                    writer.WriteStartObject("image_url");
                    writer.WriteString("url", url);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteString("type", "text");
                    writer.WriteString("text", part.Text);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteToolResult(Utf8JsonWriter writer, ToolResultBlock result, List<UserPart> followingUserParts, ChatRenderOptions options, ICollection<string> warnings)
    {
        writer.WriteStartObject();
        writer.WriteString("role", "tool");
        writer.WriteString("tool_call_id", result.ToolUseId);
        writer.WritePropertyName("content");
        if (result.IsError == true || result.Content is not { } content || !QuotedText.TryWriteJoined(writer, content))
        {
            writer.WriteStringValue(ToolResultText(result, followingUserParts, options, warnings));
        }

        writer.WriteEndObject();
    }

    private static string ToolResultText(ToolResultBlock result, List<UserPart> followingUserParts, ChatRenderOptions options, ICollection<string> warnings)
    {
        var text = new StringBuilder();
        if (result.IsError == true)
        {
            text.Append("Error: ");
        }

        var pieces = new List<string>();
        foreach (var block in result.Content ?? [])
        {
            switch (block)
            {
                case TextBlock t:
                    pieces.Add(t.Text);
                    break;
                case ImageBlock image when options.SupportsImages:
                    // Tool messages carry text only; the image rides along in the user message that follows.
                    pieces.Add($"[image {followingUserParts.Count(p => p.ImageUrl is not null) + 1} of this tool result follows in the next message]");
                    followingUserParts.Add(UserPart.Image(ImageUrl(image.Source)));
                    break;
                default:
                    var parts = new List<UserPart>();
                    AddUserPart(parts, block, options, warnings);
                    pieces.AddRange(parts.Select(p => p.Text!));
                    break;
            }
        }

        text.Append(JoinText(pieces));
        return text.ToString();
    }

    private static void AddUserPart(List<UserPart> parts, ContentBlock block, ChatRenderOptions options, ICollection<string> warnings)
    {
        switch (block)
        {
            case TextBlock text:
                parts.Add(UserPart.FromText(text.Text));
                break;
            case ImageBlock image when options.SupportsImages:
                parts.Add(UserPart.Image(ImageUrl(image.Source)));
                break;
            case ImageBlock image:
                warnings.Add("an image was replaced by a text placeholder: this backend does not accept images");
                parts.Add(UserPart.FromText($"[image omitted ({image.Source.MediaType ?? image.Source.Type}): this model does not accept images]"));
                break;
            case DocumentBlock document:
                parts.Add(UserPart.FromText(DocumentText(document, warnings)));
                break;
            case ThinkingBlock or RedactedThinkingBlock:
                break;
            case ToolUseBlock toolUse:
                warnings.Add($"a tool_use block in a user message was rendered as text ({toolUse.Name})");
                parts.Add(UserPart.FromText($"[tool call {toolUse.Name}: {toolUse.Input.GetRawText()}]"));
                break;
            case UnknownBlock { UnknownType: ToolReferenceType } reference when ToolReferenceName(reference) is { } toolName:
                // Claude Code's ToolSearch answers with tool_reference blocks, which make the Messages API load a deferred
                // tool's definition; the tool is in the request's tools already, so a local model gets a readable line.
                parts.Add(UserPart.FromText($"Tool loaded: {toolName}"));
                break;
            default:
                warnings.Add($"a content block of type '{block.Type}' was replaced by a text placeholder");
                parts.Add(UserPart.FromText($"[{block.Type} content omitted]"));
                break;
        }
    }

    private const string ToolReferenceType = "tool_reference";

    private static string? ToolReferenceName(UnknownBlock reference) =>
        reference.Raw.ValueKind == JsonValueKind.Object
        && reference.Raw.TryGetProperty("tool_name", out var name)
        && name.ValueKind == JsonValueKind.String
        && name.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static string DocumentText(DocumentBlock document, ICollection<string> warnings)
    {
        string title = document.Title is { Length: > 0 } t ? $" \"{t}\"" : "";
        if (document.Source.Type == "text" && document.Source.Data is { } data)
        {
            return $"<document{title}>\n{data}\n</document>";
        }

        warnings.Add("a document was replaced by a text placeholder: only plain-text documents are passed to this backend");
        return $"[document{title} omitted ({document.Source.MediaType ?? document.Source.Type}): this model cannot read it]";
    }

    private static string ImageUrl(MediaSource source) =>
        source.Type == "url" && source.Url is { } url ? url : $"data:{source.MediaType ?? "image/png"};base64,{source.Data}";

    private static void WriteAssistant(Utf8JsonWriter writer, Message message, ChatRenderOptions options, ICollection<string> warnings)
    {
        var text = new List<string>();
        var reasoning = new List<string>();
        var toolCalls = new List<ToolUseBlock>();
        foreach (var block in message.Content)
        {
            switch (block)
            {
                case TextBlock t:
                    text.Add(t.Text);
                    break;
                case ThinkingBlock thinking:
                    reasoning.Add(thinking.Thinking);
                    break;
                case ToolUseBlock toolUse:
                    toolCalls.Add(toolUse);
                    break;
                case RedactedThinkingBlock:
                    break;
                default:
                    warnings.Add($"an assistant block of type '{block.Type}' was left out");
                    break;
            }
        }

        writer.WriteStartObject();
        writer.WriteString("role", "assistant");
        writer.WriteString("content", JoinText(text));
        if (options.ReasoningInHistory && reasoning.Count > 0)
        {
            writer.WriteString("reasoning_content", JoinText(reasoning));
        }

        if (toolCalls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in toolCalls)
            {
                writer.WriteStartObject();
                writer.WriteString("id", call.Id);
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", call.Name);
                writer.WriteString("arguments", call.Input.ValueKind == JsonValueKind.Undefined ? "{}" : call.Input.GetRawText());
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteTextMessage(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }

    private static bool WriteTools(Utf8JsonWriter writer, List<Tool>? tools, ICollection<string> warnings)
    {
        var functions = new List<Tool>();
        foreach (var tool in tools ?? [])
        {
            if (tool.InputSchema.ValueKind == JsonValueKind.Object)
            {
                functions.Add(tool);
            }
            else
            {
                warnings.Add($"tool '{tool.Name}' ({tool.Type ?? "no input schema"}) is an Anthropic server tool and was left out");
            }
        }

        if (functions.Count == 0)
        {
            return false;
        }

        writer.WriteStartArray("tools");
        foreach (var tool in functions)
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
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(tool.InputSchema), skipInputValidation: true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        return true;
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ToolChoice choice)
    {
        switch (choice.Type)
        {
            case ToolChoiceTypes.Any:
                writer.WriteString("tool_choice", "required");
                break;
            case ToolChoiceTypes.None:
                writer.WriteString("tool_choice", "none");
                break;
            case ToolChoiceTypes.Tool when choice.Name is { } name:
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", name);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            default:
                writer.WriteString("tool_choice", "auto");
                break;
        }

        if (choice.DisableParallelToolUse == true)
        {
            writer.WriteBoolean("parallel_tool_calls", false);
        }
    }

    private static void WriteThinking(Utf8JsonWriter writer, MessagesRequest request, ThinkingStyle style)
    {
        if (request.Thinking is not { } thinking)
        {
            return;
        }

        switch (style)
        {
            case ThinkingStyle.ChatTemplateKwargs:
                writer.WriteStartObject("chat_template_kwargs");
                writer.WriteBoolean("enable_thinking", thinking.IsEnabled);
                writer.WriteEndObject();
                break;
            case ThinkingStyle.ReasoningEffort when thinking.IsEnabled:
                writer.WriteString("reasoning_effort", ReasoningEffort(thinking, request.OutputConfig));
                break;
        }
    }

    /// <summary>The effort Claude Code asked for, or one derived from the thinking budget.</summary>
    internal static string ReasoningEffort(ThinkingConfig thinking, OutputConfig? output)
    {
        if (output?.Effort is "low" or "medium" or "high")
        {
            return output.Effort;
        }

        if (output?.Effort is "max")
        {
            return "high";
        }

        return thinking.BudgetTokens switch
        {
            null => "medium",
            < 4096 => "low",
            < 16384 => "medium",
            _ => "high",
        };
    }

    private static string JoinText(IEnumerable<string> pieces) => string.Join("\n\n", pieces);

    private readonly record struct UserPart(string? Text, string? ImageUrl)
    {
        public static UserPart FromText(string text) => new(text, null);

        public static UserPart Image(string url) => new(null, url);
    }
}
