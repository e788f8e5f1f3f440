using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>
/// A warm-up request made from a request as its backend received it (after the request pipeline): its system prompt,
/// tools and thinking setting, one user message, <c>max_tokens: 1</c>. The chat template renders system and tools
/// before every message, so the server prefills exactly the head the real request starts with. For a conversation's
/// head the user message also starts with the first message's leading <c>&lt;system-reminder&gt;</c> text blocks
/// (<see cref="LeadOf"/>: CLAUDE.md, skills, context, and the environment <c>hoist-system-message</c> put there; the same in
/// every session of a project and Claude Code version, the environment on the same day),
/// then a <c>"."</c> block where the user's words come: text blocks are joined by a blank line, so the warm-up renders
/// to the same tokens as the real first message up to the user's words.
/// </summary>
internal static class WarmRequests
{
    /// <summary>The warm-up request's JSON; <paramref name="withLead"/> keeps the first message's stable lead.</summary>
    public static byte[] From(MessagesRequest request, bool withLead) => JsonSerializer.SerializeToUtf8Bytes(
        new MessagesRequest
        {
            Model = request.Model,
            MaxTokens = 1,
            Stream = true,
            System = request.System,
            Tools = request.Tools,
            Thinking = request.Thinking,
            Messages = [new Message { Role = MessageRoles.User, Content = [.. withLead ? LeadOf(request) : [], new TextBlock(".")] }],
        },
        AnthropicJsonContext.Default.MessagesRequest);

    /// <summary>
    /// The head's bytes (system prompt, tools and, with <paramref name="withLead"/>, the first message's lead, written
    /// afresh): two requests with equal heads share the warmed prefix. A text block would otherwise be written as the
    /// client escaped it, and Claude Code escapes differently from the file the head is read back from.
    /// </summary>
    public static byte[] HeadOf(MessagesRequest request, bool withLead) => JsonSerializer.SerializeToUtf8Bytes(
        new MessagesRequest
        {
            System = request.System?.ConvertAll(block => new TextBlock(block.Text)),
            Tools = request.Tools,
            Messages = withLead && LeadOf(request) is { Count: > 0 } lead ? [new Message { Role = MessageRoles.User, Content = lead }] : [],
        },
        AnthropicJsonContext.Default.MessagesRequest);

    /// <summary>
    /// The first user message's leading text blocks that are system reminders, up to the first block that is not (the
    /// user's own words, which differ in every session) and never its last block; without <c>cache_control</c>.
    /// </summary>
    public static List<ContentBlock> LeadOf(MessagesRequest request) =>
        request.Messages is [{ Role: MessageRoles.User } first, ..]
            ? first.Content.Take(SystemReminder.LeadingCount(first)).Select(block => (ContentBlock)new TextBlock(((TextBlock)block).Text)).ToList()
            : [];
}
