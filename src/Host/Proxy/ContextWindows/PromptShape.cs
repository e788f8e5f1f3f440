using System.Security.Cryptography;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// What <see cref="PromptGrowth"/> compares between two requests of a conversation: a hash of the prompt's head (system,
/// tools, tool choice, thinking) and of its first messages, cache markers left out (Claude Code moves them every turn),
/// and a safe upper bound on the tokens the messages after them can add.
/// </summary>
internal static class PromptShape
{
    /// <summary>Room for what a chat template adds around one message (role header, end marker) or one block in it.</summary>
    public const int TemplateTokensPerPart = 16;

    /// <summary>
    /// A tool call's arguments may be re-serialized by the template: a space after each separator, or an escape of up to
    /// six bytes (<c>\u003c</c>) for one byte of input. Six bytes out per byte in bounds both.
    /// </summary>
    private const int ArgumentBytesPerByte = 6;

    /// <summary>The hash of the head and of the first <paramref name="messages"/> messages.</summary>
    public static byte[] Hash(MessagesRequest request, int messages) => Hashes(request, messages).Prefix;

    /// <summary>
    /// In one pass over the request: the hash of the head and its first <paramref name="messages"/> messages, and the hash
    /// of the head and all its messages (the same as <see cref="Hash"/> with every message).
    /// </summary>
    public static (byte[] Prefix, byte[] Whole) Hashes(MessagesRequest request, int messages)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var block in request.System ?? [])
        {
            Append(hash, block);
        }

        Separator(hash, 1);
        foreach (var tool in request.Tools ?? [])
        {
            Append(hash, tool.Name);
            Append(hash, tool.Type ?? "");
            Append(hash, tool.Description ?? "");
            Append(hash, tool.InputSchema);
        }

        Separator(hash, 2);
        Append(hash, request.ToolChoice is { } choice ? $"{choice.Type}:{choice.Name}" : "");
        Append(hash, request.Thinking is { } thinking ? $"{thinking.Type}:{thinking.BudgetTokens}" : "");
        Append(hash, request.OutputConfig?.Effort ?? "");
        byte[]? prefix = messages == 0 ? hash.GetCurrentHash() : null;
        for (int i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            Separator(hash, 3);
            Append(hash, message.Role);
            if (message.ExtensionData is { Count: > 0 } extra)
            {
                foreach (var (name, value) in extra)
                {
                    Append(hash, name);
                    Append(hash, value);
                }
            }

            Append(hash, message.Content);
            if (i + 1 == messages)
            {
                prefix = hash.GetCurrentHash();
            }
        }

        byte[] whole = hash.GetHashAndReset();
        return (prefix ?? whole, whole);
    }

    /// <summary>
    /// At most how many tokens the messages from <paramref name="from"/> on add to the rendered prompt, or null when one
    /// holds something whose tokens its bytes do not bound (an image, a document, a block of a type unknown here).
    /// A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen, …) or a SentencePiece one with byte fallback never makes a token
    /// of less than one byte of text, so a text's UTF-8 bytes bound its tokens; its JSON form (quotes, escapes) is never
    /// shorter. The template's own tokens around each message and block are bounded by <see cref="TemplateTokensPerPart"/>.
    /// </summary>
    public static long? AppendedTokens(MessagesRequest request, int from)
    {
        long tokens = 0;
        for (int i = from; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (message.ExtensionData is { Count: > 0 } || Bytes(message.Content) is not { } bytes)
            {
                return null;
            }

            tokens += TemplateTokensPerPart + Encoding.UTF8.GetByteCount(message.Role) + bytes;
        }

        return tokens;
    }

    private static long? Bytes(List<ContentBlock> blocks)
    {
        long bytes = 0;
        foreach (var block in blocks)
        {
            long? size = block switch
            {
                TextBlock text => Length(text),
                ToolUseBlock toolUse => Encoding.UTF8.GetByteCount(toolUse.Id) + Encoding.UTF8.GetByteCount(toolUse.Name) + ((long)ArgumentBytesPerByte * Raw(toolUse.Input).Length),
                ToolResultBlock result => Encoding.UTF8.GetByteCount(result.ToolUseId) + 8 + (result.Content is null ? 0 : Bytes(result.Content)),
                ThinkingBlock thinking => Encoding.UTF8.GetByteCount(thinking.Thinking) + Encoding.UTF8.GetByteCount(thinking.Signature),
                RedactedThinkingBlock redacted => Encoding.UTF8.GetByteCount(redacted.Data),
                _ => null,
            };
            if (size is null || block.ExtensionData is { Count: > 0 })
            {
                return null;
            }

            bytes += TemplateTokensPerPart + size.Value;
        }

        return bytes;
    }

    private static long Length(TextBlock text) =>
        text.TryGetQuotedUtf8(out var quoted) ? quoted.Length : text.TextIsNull ? 0 : Encoding.UTF8.GetByteCount(text.Text);

    private static ReadOnlySpan<byte> Raw(JsonElement element) =>
        element.ValueKind == JsonValueKind.Undefined ? default : System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);

    private static void Append(IncrementalHash hash, List<ContentBlock> blocks)
    {
        foreach (var block in blocks)
        {
            Separator(hash, 4);
            Append(hash, block.Type);
            switch (block)
            {
                case TextBlock text:
                    Append(hash, text);
                    break;
                case ToolUseBlock toolUse:
                    Append(hash, toolUse.Id);
                    Append(hash, toolUse.Name);
                    Append(hash, toolUse.Input);
                    break;
                case ToolResultBlock result:
                    Append(hash, result.ToolUseId);
                    Append(hash, result.IsError == true ? "error" : "");
                    Append(hash, result.Content ?? []);
                    Separator(hash, 5);
                    break;
                case ThinkingBlock thinking:
                    Append(hash, thinking.Thinking);
                    Append(hash, thinking.Signature);
                    break;
                case RedactedThinkingBlock redacted:
                    Append(hash, redacted.Data);
                    break;
                case ImageBlock image:
                    Append(hash, image.Source);
                    break;
                case DocumentBlock document:
                    Append(hash, document.Source);
                    Append(hash, document.Title ?? "");
                    Append(hash, document.Context ?? "");
                    break;
                case UnknownBlock unknown:
                    Append(hash, unknown.Raw);
                    break;
            }

            foreach (var (name, value) in block.ExtensionData ?? [])
            {
                Append(hash, name);
                Append(hash, value);
            }
        }
    }

    private static void Append(IncrementalHash hash, MediaSource source)
    {
        Append(hash, source.Type);
        Append(hash, source.MediaType ?? "");
        Append(hash, source.Data ?? "");
        Append(hash, source.Url ?? "");
    }

    private static void Append(IncrementalHash hash, TextBlock text)
    {
        if (text.TryGetQuotedUtf8(out var quoted))
        {
            hash.AppendData(quoted);
            hash.AppendData("\0"u8);
        }
        else
        {
            Append(hash, text.TextIsNull ? "\u0002null" : text.Text);
        }
    }

    private static void Append(IncrementalHash hash, JsonElement element)
    {
        hash.AppendData(Raw(element));
        hash.AppendData("\0"u8);
    }

    private static void Append(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData("\0"u8);
    }

    private static void Separator(IncrementalHash hash, byte kind) => hash.AppendData([1, kind, 0]);
}
