using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Requests;

namespace AnyClaude.Host.Proxy.Routing;

/// <summary>
/// Claude Code's <c>/model NAME</c> probe for a name that nothing here would serve on purpose gets a 404
/// <c>not_found_error</c> listing the backends, which Claude Code shows at the prompt. A name is served on purpose
/// when it names a backend (or <c>backend/model</c>), matches a route's <c>model</c>, is one of Claude Code's own
/// (<c>claude-…</c>, <c>anthropic…</c>, the aliases), or is a model the default backend lists.
/// </summary>
internal sealed class ProbeCheck(BackendRegistry backends)
{
    private static readonly string[] Aliases = ["default", "opus", "sonnet", "haiku", "best", "opusplan"];

    public async ValueTask ThrowIfUnknownAsync(RoutedRequest routed, CancellationToken cancellationToken)
    {
        string model = routed.RequestedModel;
        var table = routed.Table;
        if (routed.Class != RequestClass.Probe
            || !routed.Decision.IsDefault
            || table.AnyRouteNames(model)
            || model.StartsWith("claude", StringComparison.OrdinalIgnoreCase)
            || model.StartsWith("anthropic", StringComparison.OrdinalIgnoreCase)
            || Aliases.Contains(BaseAlias(model), StringComparer.OrdinalIgnoreCase)
            || await DefaultServesAsync(table.Mode, model, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        throw new AnthropicException(
            AnthropicErrorTypes.NotFound,
            $"model '{model}' is neither a configured backend nor a model anyclaude routes; choose one of the backends: {string.Join(", ", table.BackendNames)} " +
            $"(or BACKEND/MODEL, e.g. {table.BackendNames.First()}/<model>)",
            statusCode: 404,
            shouldRetry: false);
    }

    /// <summary><c>opus[1m]</c> and similar suffixed aliases.</summary>
    private static string BaseAlias(string model) => model.IndexOf('[') is > 0 and var at ? model[..at] : model;

    private async Task<bool> DefaultServesAsync(string mode, string model, CancellationToken cancellationToken)
    {
        try
        {
            var backend = backends.Get(mode);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var models = await backend.ListModelsAsync(timeout.Token).ConfigureAwait(false);
            return models.Any(m => string.Equals(m.Id, model, StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception exception) when (exception is AnthropicException or OperationCanceledException or HttpRequestException)
        {
            // The default cannot say what it serves: let the probe through rather than refuse a name it may serve.
            cancellationToken.ThrowIfCancellationRequested();
            return true;
        }
    }
}
