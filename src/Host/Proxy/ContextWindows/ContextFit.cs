using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// Sizes a request to its backend's context window once its pipeline has run, before anything goes upstream. A prompt
/// that cannot fit, or leaves no room for an answer, is refused at once with Anthropic's own
/// <c>prompt is too long: N tokens &gt; M maximum</c> (which Claude Code answers by compacting) instead of a long
/// prefill that fails; otherwise <c>max_tokens</c> becomes at most the room the window has left. A prompt far from the
/// edge is not counted (the quick estimate, doubled, plus the answer fits), nor is a conversation's turn whose upper
/// bound (its last turn's size plus at most what was appended since, <see cref="PromptGrowth"/>) leaves the whole answer
/// room, or leaves room enough that no exact count could refuse it and <c>max_tokens</c> clamped to the bound falls at
/// most a bounded margin short of the exact room (<see cref="TurnSizing"/>); one near the edge is counted as well as the
/// backend can (<see cref="PromptCounter"/>).
/// </summary>
internal sealed class ContextFit(CapabilityDiscovery discovery, PromptCounter counter, EstimateCalibration calibration, PromptGrowth growth)
{
    /// <summary>The least room for an answer worth sending (or what the request asked for, when it asked for less).</summary>
    public const int MinimumOutputTokens = 512;

    public async ValueTask FitAsync(IBackend backend, MessagesRequest request, RoutedRequest routed, CancellationToken cancellationToken)
    {
        await discovery.EnsureAsync(backend, cancellationToken).ConfigureAwait(false);
        int quick = PromptSize.EstimateTokens(request);
        if (routed.Class is RequestClass.Turn or RequestClass.Compaction)
        {
            calibration.Expect(routed.ConversationKey, quick);
        }

        var capabilities = backend.Capabilities;
        if (capabilities.ContextLength is not { } window)
        {
            return;
        }

        int asked = request.MaxTokens ?? capabilities.MaxOutputTokens;
        if (2L * quick + asked <= window)
        {
            return;
        }

        // A conversation's turn (a subagent's too: the affinity key tells it apart) is sized from its last one; side
        // requests (titles, classifiers) are not tracked.
        string? grown = routed.Class is RequestClass.Turn or RequestClass.Compaction or RequestClass.Subagent ? PromptGrowth.KeyOf(backend.Name, request.Model, routed.AffinityKey) : null;
        byte[]? grownHash = null;
        if (grown is not null && growth.Bound(grown, request, out grownHash) is { } bound
            && TurnSizing.MaxTokensWithoutCount(bound, asked, window) is { } maxTokens)
        {
            // Whatever the exact count, the prompt is refused nothing: the bound gives max_tokens its room.
            growth.Remember(grown, request, bound.Tokens, grownHash, bound.Slack);
            if (maxTokens < asked)
            {
                request.MaxTokens = maxTokens;
            }

            return;
        }

        TokenCount count;
        try
        {
            count = await counter.CountAsync(backend, request, routed.ConversationKey, cancellationToken).ConfigureAwait(false);
            if (grown is not null && count.Source is TokenCountSource.Server or TokenCountSource.Tokenizer)
            {
                growth.Remember(grown, request, count.Tokens, grownHash);
            }
        }
        catch (AnthropicException)
        {
            // A count that failed (a server's count_tokens erring) must not fail the request: the quick estimate sizes it.
            count = new TokenCount(quick, TokenCountSource.Estimate);
        }

        routed.PromptTokens = count;
        int floor = Math.Clamp(asked, 1, MinimumOutputTokens);
        if (count.Tokens > window)
        {
            throw TooLong(count.Tokens, window);
        }

        if (count.Tokens + floor > window)
        {
            // It fits, but the answer would have less room than is worth sending: the largest prompt is the window less that room.
            throw TooLong(count.Tokens, window - floor);
        }

        request.MaxTokens = Math.Min(asked, window - count.Tokens);
    }

    /// <summary>The server said the prompt was too long where the proxy thought it fit: its window may have changed.</summary>
    public void OnRefused(IBackend backend, AnthropicException exception)
    {
        if (exception.Message.Contains("prompt is too long", StringComparison.OrdinalIgnoreCase))
        {
            discovery.MarkStale(backend);
        }
    }

    public static AnthropicException TooLong(int tokens, int maximum) => AnthropicException.PromptTooLong($"{tokens} tokens > {maximum} maximum");
}
