using System.Text.Json;
using AnyClaude.Abstractions.Messages;

namespace AnyClaude.Plugins.AnthropicPassthrough;

/// <summary>The prompt-side usage fields a server's <c>message_delta</c> carried.</summary>
[Flags]
internal enum PromptUsageFields
{
    None = 0,
    Input = 1,
    CacheRead = 2,
    CacheCreation = 4,
    All = Input | CacheRead | CacheCreation,
}

/// <summary>
/// A <c>message_delta</c>'s usage made whole. Anthropic's own stream repeats the prompt's counts there (cumulative), but
/// llama-server's <c>/v1/messages</c> says them only in <c>message_start</c> and sends <c>output_tokens</c> alone at the
/// end: a field the server did not send takes what <c>message_start</c> said, never a zero the server never wrote
/// (the host records the request's prompt and cached tokens from the final usage).
/// </summary>
internal static class DeltaUsage
{
    public static PromptUsageFields SentIn(JsonElement messageDelta)
    {
        if (!messageDelta.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return PromptUsageFields.None;
        }

        var sent = PromptUsageFields.None;
        if (usage.TryGetProperty("input_tokens", out _))
        {
            sent |= PromptUsageFields.Input;
        }

        if (usage.TryGetProperty("cache_read_input_tokens", out _))
        {
            sent |= PromptUsageFields.CacheRead;
        }

        if (usage.TryGetProperty("cache_creation_input_tokens", out _))
        {
            sent |= PromptUsageFields.CacheCreation;
        }

        return sent;
    }

    public static void FillFrom(Usage delta, Usage? atStart, PromptUsageFields sent)
    {
        if (atStart is null)
        {
            return;
        }

        if (!sent.HasFlag(PromptUsageFields.Input))
        {
            delta.InputTokens = atStart.InputTokens;
        }

        if (!sent.HasFlag(PromptUsageFields.CacheRead))
        {
            delta.CacheReadInputTokens = atStart.CacheReadInputTokens;
        }

        if (!sent.HasFlag(PromptUsageFields.CacheCreation))
        {
            delta.CacheCreationInputTokens = atStart.CacheCreationInputTokens;
        }
    }
}
