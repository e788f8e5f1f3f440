using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.Plugins.Exo;

/// <summary>
/// An exo cluster's OpenAI-compatible endpoint (any node, port 52415). exo lists every model card it knows in
/// <c>/v1/models</c>, running or not, and answers a model without a running instance with 404 "No instance found for
/// model …": so without a configured model this backend asks for the model of a running instance (<c>/state/instances</c>),
/// not the first card listed. That card gives the context length and the capabilities (<c>vision</c>, <c>thinking</c>).
/// Thinking goes as <c>reasoning_effort</c>; reasoning comes back as <c>reasoning_content</c>; the prefix-cache hit
/// comes back as <c>prompt_tokens_details.cached_tokens</c>.
/// </summary>
internal sealed class ExoBackend : OpenAICompatibleBackend
{
    private const string NoInstance = "No instance found for model";

    private string? _runningModel;

    public ExoBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true, ReportsCachedTokens = true })
    {
    }

    protected override string StartHint =>
        $"start exo on this machine (`uv run exo`, or the macOS app; its API listens on port {BaseUrl.Port}) and place an instance of a model (or set EXO_URL)";

    protected override ThinkingStyle ThinkingStyle => ThinkingStyle.ReasoningEffort;

    protected override async ValueTask<string> ResolveModelAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        Settings.Model
        ?? Volatile.Read(ref _runningModel)
        ?? await FindRunningModelAsync(cancellationToken).ConfigureAwait(false)
        ?? request.Model;

    protected override AnthropicException MapErrorStatus(int status, string body)
    {
        string detail = UpstreamErrors.ExtractMessage(body);
        if (status == 404 && detail.Contains(NoInstance, StringComparison.Ordinal))
        {
            // The instance may have been deleted or replaced: ask again next time.
            Volatile.Write(ref _runningModel, null);
            string model = detail[(detail.IndexOf(NoInstance, StringComparison.Ordinal) + NoInstance.Length)..].Trim();
            return new AnthropicException(
                AnthropicErrorTypes.Api,
                $"backend '{Name}': the exo cluster runs no instance of model '{model}'; place one (the dashboard at {ServerRoot}, " +
                $"or `curl -X POST {ServerRoot}place_instance -H 'Content-Type: application/json' -d '{{\"model_id\": \"{model}\"}}'`) or set EXO_MODEL to a model that runs",
                502,
                shouldRetry: false);
        }

        return base.MapErrorStatus(status, body);
    }

    protected override async Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken)
    {
        string? model = Settings.Model ?? await FindRunningModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null)
        {
            return null;
        }

        using var models = await TryGetJsonAsync(Endpoint("models"), cancellationToken).ConfigureAwait(false);
        if (models?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return new ServerReport { Model = model };
        }

        foreach (var card in data.EnumerateArray())
        {
            if (card.ValueKind == JsonValueKind.Object && card.TryGetProperty("id", out var id) && id.ValueEquals(model))
            {
                return ExoModelCard.Read(model, card);
            }
        }

        return new ServerReport { Model = model };
    }

    /// <summary>The model of the first instance the cluster runs (<c>GET /state/instances</c>), remembered once found; null when none runs.</summary>
    private async Task<string?> FindRunningModelAsync(CancellationToken cancellationToken)
    {
        using var instances = await TryGetJsonAsync(new Uri(ServerRoot, "state/instances"), cancellationToken).ConfigureAwait(false);
        if (instances?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            return null;
        }

        foreach (var instance in root.EnumerateObject())
        {
            if (ExoModelCard.InstanceModel(instance.Value) is { } model)
            {
                Volatile.Write(ref _runningModel, model);
                return model;
            }
        }

        return null;
    }
}
