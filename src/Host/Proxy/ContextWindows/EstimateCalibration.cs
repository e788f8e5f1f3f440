using System.Collections.Concurrent;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Proxy.Telemetry;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// How far off the quick estimate was for a conversation: the prompt tokens the server reported for its last turn
/// divided by that turn's estimate. A later estimate for the same conversation is scaled by it, so a backend that
/// cannot count still gets figures close to its tokenizer's after the first turn.
/// </summary>
internal sealed class EstimateCalibration : IRequestListener
{
    private const int MaxConversations = 1024;
    private const double MinRatio = 0.25;
    private const double MaxRatio = 4;

    private readonly ConcurrentDictionary<string, int> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _ratios = new(StringComparer.Ordinal);

    /// <summary>The estimate made for the conversation's request now on its way, to compare with what the server reports.</summary>
    public void Expect(string conversation, int estimate)
    {
        if (estimate <= 0)
        {
            return;
        }

        if (_pending.Count >= MaxConversations)
        {
            _pending.Clear();
        }

        _pending[conversation] = estimate;
    }

    /// <summary>What the server reported as the prompt's size (uncached plus cached input tokens) for that request.</summary>
    void IRequestListener.OnCompleted(RoutedRequest routed, RequestOutcome outcome) => Observe(routed.ConversationKey, outcome.InputTokens + outcome.CachedTokens);

    public void Observe(string conversation, int reportedPromptTokens)
    {
        if (!_pending.TryRemove(conversation, out int estimate) || reportedPromptTokens <= 0)
        {
            return;
        }

        if (_ratios.Count >= MaxConversations)
        {
            _ratios.Clear();
        }

        _ratios[conversation] = Math.Clamp((double)reportedPromptTokens / estimate, MinRatio, MaxRatio);
    }

    /// <summary>The estimate scaled by the conversation's ratio, or null when no turn of it was reported yet.</summary>
    public int? Calibrate(string conversation, int estimate) =>
        _ratios.TryGetValue(conversation, out double ratio) ? (int)Math.Round(estimate * ratio) : null;
}
