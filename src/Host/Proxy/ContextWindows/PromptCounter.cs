using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.ContextWindows;

/// <summary>
/// A prompt's size as its backend will see it, the best figure available: the server's own count where it can count,
/// else the model's tokenizer where its files are on this machine, else the estimate, calibrated by what the server
/// reported on the conversation's earlier turns (<see cref="EstimateCalibration"/>) once it has.
/// </summary>
internal sealed class PromptCounter(EstimateCalibration calibration)
{
    public async ValueTask<TokenCount> CountAsync(IBackend backend, MessagesRequest request, string conversation, CancellationToken cancellationToken)
    {
        var counted = await backend.CountTokensAsync(request, cancellationToken).ConfigureAwait(false);
        if (counted.Source == TokenCountSource.Estimate && calibration.Calibrate(conversation, PromptSize.EstimateTokens(request)) is { } calibrated)
        {
            return new TokenCount(calibrated, TokenCountSource.CalibratedEstimate);
        }

        return counted;
    }
}
