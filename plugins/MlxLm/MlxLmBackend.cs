using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.Backends;

namespace AnyClaude.Plugins.MlxLm;

/// <summary>
/// <c>mlx_lm.server</c>: asks for <c>default_model</c> unless a model is configured (any other name makes
/// it load that model), takes <c>max_completion_tokens</c>, text-only content, and answers generation
/// errors with HTTP 404. The server does not report its model's window: it comes from the model folder's
/// <c>config.json</c> when the configured model is on this machine (a path, or a repository id in the Hugging Face cache),
/// and so do its tokenizer files, which count prompts locally (the server has no tokenize endpoint).
/// </summary>
internal sealed class MlxLmBackend : OpenAICompatibleBackend
{
    public const string DefaultModel = "default_model";

    private readonly Lazy<string?> _modelFolder;

    public MlxLmBackend(BackendSettings settings, BackendServices services)
        : base(settings, services, new BackendCapabilities { PromptCache = true })
    {
        _modelFolder = new Lazy<string?>(() => MlxModelFolder.Find(Settings.Model, MlxModelFolder.DefaultHuggingFaceHome()));
    }

    protected override string StartHint =>
        $"start it with `mlx_lm.server --model <model> --port {BaseUrl.Port}` (or set MLX_LM_URL)";

    protected override string MaxTokensField => "max_completion_tokens";

    protected override ValueTask<string> ResolveModelAsync(MessagesRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Settings.Model ?? DefaultModel);

    protected override Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken)
    {
        var folder = _modelFolder.Value;
        return Task.FromResult(folder is null ? null : new ServerReport { ContextLength = MlxModelFolder.ContextLength(folder) });
    }

    /// <summary>The <c>tokenizer</c> setting, else the model's own folder: mlx-lm loads its tokenizer from there too.</summary>
    protected override string? TokenizerFolder => Settings.Tokenizer ?? _modelFolder.Value;

    protected override AnthropicException MapErrorStatus(int status, string body)
    {
        // mlx-lm reports generation and tokenizer failures as 404 {"error": "…"}: a server error, not a missing path.
        // A wrong path is a bare "Not Found", for the base class to hint at a missing /v1.
        if (status != 404 || !IsJsonError(body))
        {
            return base.MapErrorStatus(status, body);
        }

        string detail = UpstreamErrors.ExtractMessage(body);
        return UpstreamErrors.IsContextOverflow(detail)
            ? AnthropicException.PromptTooLong($"{detail} (backend '{Name}')")
            : new AnthropicException(AnthropicErrorTypes.Api, $"backend '{Name}' failed to generate: {detail}", 500, shouldRetry: false);
    }

    private static bool IsJsonError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
