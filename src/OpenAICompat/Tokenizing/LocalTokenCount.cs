using AnyClaude.Abstractions.Backends;
using Microsoft.Extensions.Logging;

namespace AnyClaude.OpenAICompat.Tokenizing;

/// <summary>
/// A prompt counted with the model's own tokenizer, for backends whose server cannot count: the tokenizer files in a
/// folder (read once, <see cref="LocalTokenizers"/>) over the chat body's text as a ChatML template lays it out
/// (<see cref="ChatPromptText"/>; any body with <c>messages</c> of <c>role</c>/<c>content</c>/<c>tool_calls</c> and
/// <c>tools</c>, Chat Completions' or Ollama's).
/// </summary>
public static class LocalTokenCount
{
    /// <summary>Starts reading the folder's tokenizer, so the first count finds it loaded.</summary>
    public static void Preload(string folder, string backend, ILogger logger) => _ = LocalTokenizers.GetAsync(folder, backend, logger);

    /// <summary>The <see cref="TokenCountSource.Tokenizer"/> count, or null when the folder has no tokenizer this can read (already warned about).</summary>
    public static async ValueTask<TokenCount?> TryCountAsync(string folder, ReadOnlyMemory<byte> chatBody, string backend, ILogger logger, CancellationToken cancellationToken)
    {
        var tokenizer = await LocalTokenizers.GetAsync(folder, backend, logger).WaitAsync(cancellationToken).ConfigureAwait(false);
        return tokenizer is null ? null : new TokenCount(tokenizer.CountTokens(ChatPromptText.Render(chatBody.Span)), TokenCountSource.Tokenizer);
    }
}
