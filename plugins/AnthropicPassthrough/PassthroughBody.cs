using System.Buffers;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>
/// The Messages body sent upstream, serialized the same way every time (the SDK's source-generated model, fields in
/// declaration order) so that what the server renders from turn N is a prefix of turn N+1. It carries only what a
/// local server uses: <c>cache_control</c> (which Claude Code moves to the newest block every turn and none of these
/// servers reads), <c>metadata</c> and the top-level fields this model does not name (<c>context_management</c>,
/// <c>safeguards</c>, which change from turn to turn) are left out.
/// </summary>
internal static class PassthroughBody
{
    /// <summary>The body of a <c>POST /v1/messages</c> (always streamed) or, with <paramref name="forCounting"/>, of a count_tokens request.</summary>
    public static byte[] Render(MessagesRequest request, string model, bool forCounting)
    {
        var upstream = new MessagesRequest
        {
            Model = model,
            Messages = request.Messages.Select(KeepInPlace).ToList(),
            System = request.System,
            Tools = request.Tools is { Count: > 0 } tools ? tools : null,
            ToolChoice = request.Tools is { Count: > 0 } ? request.ToolChoice : null,
            MaxTokens = forCounting ? null : request.MaxTokens,
            Thinking = Normalize(request.Thinking, request.MaxTokens),
            OutputConfig = request.OutputConfig,
            StopSequences = forCounting ? null : request.StopSequences,
            Temperature = forCounting ? null : request.Temperature,
            TopP = forCounting ? null : request.TopP,
            TopK = forCounting ? null : request.TopK,
            Stream = forCounting ? null : true,
        };
        DropCacheControl(upstream);

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, upstream, AnthropicJsonContext.Default.MessagesRequest);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A mid-conversation <c>role: system</c> message stays where it is, as user-side text: the servers either reject it
    /// or hoist it to the top (Ollama), and a hoisted one changes the start of the prompt every time it changes.
    /// </summary>
    private static Message KeepInPlace(Message message)
    {
        if (message.Role != MessageRoles.System)
        {
            return message;
        }

        return new Message { Role = MessageRoles.User, Content = [new TextBlock(SystemReminder.Of(message))] };
    }

    /// <summary>
    /// Claude Code's <c>adaptive</c> thinking is a type the local servers do not know (Ollama only turns thinking on for
    /// <c>enabled</c>): it goes as <c>enabled</c> with a budget below <c>max_tokens</c>.
    /// </summary>
    private static ThinkingConfig? Normalize(ThinkingConfig? thinking, int? maxTokens)
    {
        if (thinking is null || thinking.Type != "adaptive")
        {
            return thinking;
        }

        int budget = thinking.BudgetTokens ?? Math.Max(1024, (maxTokens ?? 2048) - 1);
        return new ThinkingConfig { Type = "enabled", BudgetTokens = budget };
    }

    private static void DropCacheControl(MessagesRequest request)
    {
        foreach (var block in request.System ?? [])
        {
            block.CacheControl = null;
        }

        foreach (var tool in request.Tools ?? [])
        {
            tool.CacheControl = null;
        }

        foreach (var message in request.Messages)
        {
            foreach (var block in message.Content)
            {
                block.CacheControl = null;
                if (block is ToolResultBlock { Content: { } nested })
                {
                    foreach (var inner in nested)
                    {
                        inner.CacheControl = null;
                    }
                }
            }
        }
    }
}
