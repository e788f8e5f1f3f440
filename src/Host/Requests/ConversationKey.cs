using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Requests;

/// <summary>
/// Which conversation a request belongs to: Claude Code's session id from <c>metadata.user_id</c> (a JSON string
/// with <c>session_id</c> in 2.1.332, <c>…_session_&lt;uuid&gt;</c> in older versions), else a hash of the system
/// prompt, the tools and the first user message (what stays the same for the whole conversation).
/// </summary>
internal static class ConversationKey
{
    private const string SessionMarker = "_session_";

    public static string Of(MessagesRequest request) =>
        SessionId(request.Metadata) is { } session ? $"session:{session}" : $"prefix:{PrefixHash(request)}";

    /// <summary>
    /// The key cache affinity and the per-conversation sums use: within one session, a subagent (an <c>Agent</c> tool
    /// call: its own system prompt and first message, the same session id) is a conversation of its own, so the
    /// session id is qualified by the prefix hash, or by the subagent's own id when Claude Code sent one
    /// (<c>x-claude-code-agent-id</c>, 2.1.337), which tells two subagents with the same prompt apart. Stable over a
    /// conversation's turns, and never the main conversation's key for a subagent.
    /// </summary>
    public static string AffinityOf(MessagesRequest request, string? agentId = null)
    {
        string conversation = SessionId(request.Metadata) is { } session ? $"session:{session}/{PrefixHash(request)[..8]}" : $"prefix:{PrefixHash(request)}";
        return agentId is null ? conversation : $"{conversation}/agent:{agentId}";
    }

    private static string? SessionId(JsonElement? metadata)
    {
        if (metadata is not { ValueKind: JsonValueKind.Object } value
            || !value.TryGetProperty("user_id", out var userId)
            || userId.ValueKind != JsonValueKind.String
            || userId.GetString() is not { Length: > 0 } text)
        {
            return null;
        }

        if (text.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("session_id", out var session)
                    && session.ValueKind == JsonValueKind.String
                    && session.GetString() is { Length: > 0 } id
                        ? id
                        : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        int at = text.LastIndexOf(SessionMarker, StringComparison.Ordinal);
        return at >= 0 && at + SessionMarker.Length < text.Length ? text[(at + SessionMarker.Length)..] : null;
    }

    private static string PrefixHash(MessagesRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var block in request.System ?? [])
        {
            // The billing header changes from session to session and carries no conversation.
            if (!block.TextStartsWith("x-anthropic-billing-header:"))
            {
                Append(hash, block.Text);
            }
        }

        Append(hash, "\u0001tools");
        foreach (var tool in request.Tools ?? [])
        {
            Append(hash, tool.Name);
            Append(hash, tool.Description ?? "");
            Append(hash, tool.InputSchema.ValueKind == JsonValueKind.Undefined ? "" : tool.InputSchema.GetRawText());
        }

        Append(hash, "\u0001first");
        if (request.Messages.FirstOrDefault(m => m.Role == MessageRoles.User) is { } first)
        {
            foreach (var block in first.Content.OfType<TextBlock>())
            {
                Append(hash, block.Text);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private static void Append(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData("\0"u8);
    }
}
