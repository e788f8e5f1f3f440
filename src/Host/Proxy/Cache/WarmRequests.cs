using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// A warm-up request made from a request as its backend received it (after the request pipeline): its system prompt,
/// tools and thinking setting, one short user message, <c>max_tokens: 1</c>. The chat template renders system and
/// tools before every message, so the server prefills exactly the head the real request starts with.
/// </summary>
internal static class WarmRequests
{
    /// <summary>The warm-up request's JSON.</summary>
    public static byte[] From(MessagesRequest request) => JsonSerializer.SerializeToUtf8Bytes(
        new MessagesRequest
        {
            Model = request.Model,
            MaxTokens = 1,
            Stream = true,
            System = request.System,
            Tools = request.Tools,
            Thinking = request.Thinking,
            Messages = [new Message { Role = MessageRoles.User, Content = [new TextBlock(".")] }],
        },
        AnthropicJsonContext.Default.MessagesRequest);

    /// <summary>The head's bytes (system prompt and tools as serialized): two requests with equal heads share the warmed prefix.</summary>
    public static byte[] HeadOf(MessagesRequest request) => JsonSerializer.SerializeToUtf8Bytes(
        new MessagesRequest { System = request.System, Tools = request.Tools },
        AnthropicJsonContext.Default.MessagesRequest);
}
