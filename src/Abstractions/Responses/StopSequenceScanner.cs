using System.Buffers;
using AnyClaude.Abstractions.Messages;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// Finds the request's stop sequences in the answer's text. OpenAI-compatible servers strip a matched stop string and
/// do not say which one matched, so the proxy matches itself: text is held while it may still become a stop sequence,
/// and the first one to complete ends the answer before it.
/// </summary>
internal sealed class StopSequenceScanner(IReadOnlyList<string> sequences, ResponseContext context) : HeldTextScanner
{
    private readonly SearchValues<char> _starts = SearchValues.Create([.. sequences.Select(s => s[0]).Distinct()]);

    protected override SearchValues<char> MarkerStarts => _starts;

    protected override MarkerMatch Match(ReadOnlySpan<char> candidate, bool atBlockStart)
    {
        bool partial = false;
        foreach (string sequence in sequences)
        {
            if (candidate.StartsWith(sequence))
            {
                return MarkerMatch.Yes;
            }

            partial |= candidate.Length < sequence.Length && sequence.AsSpan().StartsWith(candidate);
        }

        // Held for a longer sequence, but a shorter one already completed further on: that one stops first.
        return partial && !CompletesWithin(candidate[1..]) ? MarkerMatch.Partial : MarkerMatch.No;
    }

    protected override int Capture(ReadOnlySpan<char> captured, int previousLength, bool final, ResponseBlockWriter output)
    {
        foreach (string sequence in sequences)
        {
            if (captured.StartsWith(sequence))
            {
                output.StopAt(sequence);
                break;
            }
        }

        return captured.Length;
    }

    /// <summary>Without usage from upstream (it was cut off), the input is the backend's own estimate, as <c>count_tokens</c> gives it.</summary>
    protected internal override async ValueTask<Usage> UsageAtStopAsync(Usage? atStart, int upstreamDeltas, CancellationToken cancellationToken)
    {
        var usage = await base.UsageAtStopAsync(atStart, upstreamDeltas, cancellationToken).ConfigureAwait(false);
        if (usage.InputTokens == 0)
        {
            try
            {
                usage.InputTokens = await context.Backend.CountInputTokensAsync(context.Request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                context.Logger.LogDebug(exception, "no input token estimate for the answer a stop sequence ended");
            }
        }

        return usage;
    }

    private bool CompletesWithin(ReadOnlySpan<char> text)
    {
        foreach (string sequence in sequences)
        {
            if (text.IndexOf(sequence) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
