using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.OpenAICompat.Backends;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.Plugins.LmStudio;

/// <summary>
/// LM Studio's OpenAI-compatible server: the model is the configured one or the first it lists, thinking
/// goes as <c>reasoning_effort</c>, reasoning comes back as <c>reasoning_content</c>. What the model is (its context
/// window, tools, images) comes from LM Studio's own <c>/api/v0/models</c>.
/// </summary>
internal sealed class LmStudioBackend : OpenAICompatibleBackend
{
    public LmStudioBackend(BackendSettings settings, BackendServices services)
        : base(settings, services)
    {
    }

    protected override string StartHint =>
        "start LM Studio's server (Developer tab, Start Server, or `lms server start`) and load a model (or set LMSTUDIO_URL)";

    protected override ThinkingStyle ThinkingStyle => ThinkingStyle.ReasoningEffort;

    protected override async Task<ServerReport?> ReadServerReportAsync(CancellationToken cancellationToken)
    {
        using var models = await TryGetJsonAsync(new Uri(ServerRoot, "api/v0/models"), cancellationToken).ConfigureAwait(false);
        return models is null ? null : LmStudioModels.Read(models.RootElement, Settings.Model);
    }
}
