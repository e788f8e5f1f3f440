using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// SHA-256 over the UTF-8 of each part, each followed by a NUL. The system prompt and the tools are most of a
    /// Claude Code request (tens of kilobytes): their bytes are hashed where they lie (a text block's JSON token,
    /// unescaped only when it has escapes; a schema's raw JSON), not decoded to strings and encoded again.
    /// </summary>
    private static string PrefixHash(MessagesRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[]? scratch = null;
        try
        {
            foreach (var block in request.System ?? [])
            {
                // The billing header changes from session to session and carries no conversation.
                if (!block.TextStartsWith("x-anthropic-billing-header:"))
                {
                    AppendText(hash, block, ref scratch);
                }
            }

            Append(hash, "\u0001tools", ref scratch);
            foreach (var tool in request.Tools ?? [])
            {
                Append(hash, tool.Name, ref scratch);
                Append(hash, tool.Description ?? "", ref scratch);
                if (tool.InputSchema.ValueKind != JsonValueKind.Undefined)
                {
                    hash.AppendData(JsonMarshal.GetRawUtf8Value(tool.InputSchema));
                }

                hash.AppendData("\0"u8);
            }

            Append(hash, "\u0001first", ref scratch);
            if (request.Messages.FirstOrDefault(m => m.Role == MessageRoles.User) is { } first)
            {
                foreach (var block in first.Content)
                {
                    if (block is TextBlock text)
                    {
                        AppendText(hash, text, ref scratch);
                    }
                }
            }

            Span<byte> digest = stackalloc byte[32];
            hash.GetHashAndReset(digest);
            return Convert.ToHexStringLower(digest[..16]);
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    private static void AppendText(IncrementalHash hash, TextBlock block, ref byte[]? scratch)
    {
        if (!block.TryGetQuotedUtf8(out var quoted))
        {
            Append(hash, block.Text, ref scratch);
            return;
        }

        // The token between its quotes is the text's own UTF-8 (checked when read) unless it has escapes.
        var content = quoted[1..^1];
        if (content.IndexOf((byte)'\\') < 0)
        {
            hash.AppendData(content);
        }
        else
        {
            var reader = new Utf8JsonReader(quoted);
            reader.Read();
            int written = reader.CopyString(Rent(ref scratch, content.Length));
            hash.AppendData(scratch.AsSpan(0, written));
        }

        hash.AppendData("\0"u8);
    }

    private static void Append(IncrementalHash hash, string text, ref byte[]? scratch)
    {
        int written = Encoding.UTF8.GetBytes(text, Rent(ref scratch, Encoding.UTF8.GetMaxByteCount(text.Length)));
        hash.AppendData(scratch.AsSpan(0, written));
        hash.AppendData("\0"u8);
    }

    private static Span<byte> Rent([NotNull] ref byte[]? scratch, int length)
    {
        if (scratch is null || scratch.Length < length)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        }

        return scratch;
    }
}
