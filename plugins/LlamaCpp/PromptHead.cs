using System.Runtime.InteropServices;
using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Plugins.LlamaCpp;

/// <summary>
/// A hash of what a prompt starts with: the system prompt and the tools, which the chat template renders before every
/// message. Two conversations with the same head (two Claude Code sessions: the same ~12k tokens of system prompt and
/// tools) share that much of their prompt, so a slot holding one's prompt has the other's head cached. In-process only
/// (<see cref="HashCode"/> is seeded per process); a collision only costs a cache miss. Null when there is no head.
/// </summary>
internal static class PromptHead
{
    public static int? Of(MessagesRequest request)
    {
        if (request.System is not { Count: > 0 } && request.Tools is not { Count: > 0 })
        {
            return null;
        }

        var hash = new HashCode();
        foreach (var block in request.System ?? [])
        {
            hash.AddBytes(MemoryMarshal.AsBytes(block.Text.AsSpan()));
            hash.Add(0);
        }

        hash.Add(1);
        foreach (var tool in request.Tools ?? [])
        {
            hash.AddBytes(MemoryMarshal.AsBytes(tool.Name.AsSpan()));
            hash.Add(0);
            hash.AddBytes(MemoryMarshal.AsBytes((tool.Description ?? "").AsSpan()));
            hash.Add(0);
            if (tool.InputSchema.ValueKind != JsonValueKind.Undefined)
            {
                hash.AddBytes(JsonMarshal.GetRawUtf8Value(tool.InputSchema));
            }

            hash.Add(0);
        }

        return hash.ToHashCode();
    }
}
