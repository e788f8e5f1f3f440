using System.Buffers;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.OpenAICompat.Rendering;

/// <summary>
/// Writes text blocks that no transform changed by copying the JSON string tokens they were read from, instead of
/// escaping their text again (a Claude Code turn carries tens of KB of system prompt and tool results, every
/// request). Escapes are per character, so the contents of two tokens joined by <c>\n\n</c> are a valid token of
/// the joined text.
/// </summary>
internal static class QuotedText
{
    private static ReadOnlySpan<byte> Separator => "\\n\\n"u8;

    /// <summary>
    /// Writes the blocks' texts joined by a blank line as one JSON string, if every block is a text block that still
    /// has its token; writes nothing otherwise.
    /// </summary>
    public static bool TryWriteJoined(Utf8JsonWriter writer, IReadOnlyList<ContentBlock> blocks)
    {
        if (blocks.Count == 0)
        {
            return false;
        }

        int length = 2 + (Separator.Length * (blocks.Count - 1));
        foreach (var block in blocks)
        {
            if (block is not TextBlock text || !text.TryGetQuotedUtf8(out var quoted))
            {
                return false;
            }

            length += quoted.Length - 2;
        }

        if (blocks.Count == 1)
        {
            ((TextBlock)blocks[0]).TryGetQuotedUtf8(out var only);
            writer.WriteRawValue(only, skipInputValidation: true);
            return true;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var target = buffer.AsSpan();
            target[0] = (byte)'"';
            int at = 1;
            for (int i = 0; i < blocks.Count; i++)
            {
                if (i > 0)
                {
                    Separator.CopyTo(target[at..]);
                    at += Separator.Length;
                }

                ((TextBlock)blocks[i]).TryGetQuotedUtf8(out var quoted);
                var content = quoted[1..^1];
                content.CopyTo(target[at..]);
                at += content.Length;
            }

            target[at++] = (byte)'"';
            writer.WriteRawValue(target[..at], skipInputValidation: true);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
