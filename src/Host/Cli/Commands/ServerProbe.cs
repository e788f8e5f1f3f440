using System.Net;
using System.Text.Json;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>A model server <see cref="ServerProbe"/> found: its kind, the port, the models it lists (loaded ones where the server says).</summary>
internal sealed record FoundServer(string Kind, int Port, IReadOnlyList<string> Models);

/// <summary>
/// Asks one port on this machine what answers there, with short timeouts and every question at once: Ollama
/// (<c>/api/tags</c>), LM Studio (<c>/api/v0/models</c>), llama.cpp (<c>/props</c>), vLLM (<c>max_model_len</c> or
/// <c>owned_by: vllm</c> in <c>/v1/models</c>), else any OpenAI-compatible server (<c>/v1/models</c>), taken as the kind
/// expected on that port. An anyclaude proxy (it answers <c>/admin/status</c>) is not a model server.
/// </summary>
internal sealed class ServerProbe(HttpClient http)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    public static HttpClient Client() =>
        new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(1) }) { Timeout = RequestTimeout };

    /// <summary>The server on <paramref name="port"/>, or null when nothing (or no model server) answers.</summary>
    public async Task<FoundServer?> ProbeAsync(int port, string expectedKind, CancellationToken cancellationToken)
    {
        var root = new Uri($"http://127.0.0.1:{port}/");
        var openAI = GetJsonAsync(new Uri(root, "v1/models"), cancellationToken);
        var ollama = GetJsonAsync(new Uri(root, "api/tags"), cancellationToken);
        var lmStudio = GetJsonAsync(new Uri(root, "api/v0/models"), cancellationToken);
        var props = GetJsonAsync(new Uri(root, "props"), cancellationToken);
        var anyclaude = GetJsonAsync(new Uri(root, "admin/status"), cancellationToken);
        await Task.WhenAll(openAI, ollama, lmStudio, props, anyclaude).ConfigureAwait(false);
        using var models = await openAI.ConfigureAwait(false);
        using var tags = await ollama.ConfigureAwait(false);
        using var studio = await lmStudio.ConfigureAwait(false);
        using var llama = await props.ConfigureAwait(false);
        using var proxy = await anyclaude.ConfigureAwait(false);

        if (proxy is not null && proxy.RootElement.ValueKind == JsonValueKind.Object && proxy.RootElement.TryGetProperty("backends", out _))
        {
            return null;
        }

        if (Array(tags, "models") is { } ollamaModels)
        {
            return new FoundServer("ollama", port, Names(ollamaModels, "name"));
        }

        if (Array(studio, "data") is { } studioModels)
        {
            var llms = studioModels.Where(m => Text(m, "type") is null or "llm" or "vlm").ToList();
            var loaded = llms.Where(m => Text(m, "state") == "loaded").ToList();
            return new FoundServer("lmstudio", port, Names(loaded.Count > 0 ? loaded : llms, "id"));
        }

        if (Array(models, "data") is not { } listed)
        {
            return null;
        }

        string kind = llama?.RootElement is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("default_generation_settings", out _)
            ? "llama-cpp"
            : listed.Any(m => m.TryGetProperty("max_model_len", out _) || Text(m, "owned_by") == "vllm")
                ? "vllm"
                : expectedKind;
        return new FoundServer(kind, port, Names(listed, "id"));
    }

    private async Task<JsonDocument?> GetJsonAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException or IOException)
        {
            return null;
        }
    }

    private static List<JsonElement>? Array(JsonDocument? document, string property) =>
        document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(property, out var items) && items.ValueKind == JsonValueKind.Array
            ? [.. items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object)]
            : null;

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> Names(IEnumerable<JsonElement> models, string property) =>
        [.. models.Select(m => Text(m, property)).OfType<string>()];
}
