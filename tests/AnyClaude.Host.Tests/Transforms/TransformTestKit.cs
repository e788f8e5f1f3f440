using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Abstractions.Transforms;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Transforms;

/// <summary>A backend that only has a name and capabilities: enough to run transforms against.</summary>
internal sealed class StubBackend(string name, BackendCapabilities capabilities) : IBackend
{
    public string Name => name;

    public BackendCapabilities Capabilities => capabilities;

    public Uri BaseUrl => new("http://127.0.0.1:1/v1");

    public IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>A plugin transform stand-in that records that it ran.</summary>
internal sealed class MarkerTransform(string name) : IRequestTransform
{
    public string Name => name;

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        (context.Request.System ??= []).Add(new TextBlock($"ran {name}"));
        return ValueTask.CompletedTask;
    }
}

internal static class TransformTestKit
{
    public static MessagesRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.MessagesRequest)!;

    public static string Serialize(MessagesRequest request) =>
        JsonSerializer.Serialize(request, AnthropicJsonContext.Default.MessagesRequest);

    public static RequestContext Context(MessagesRequest request, BackendCapabilities? capabilities = null, string backend = "mlx-lm") =>
        new(request, new StubBackend(backend, capabilities ?? new BackendCapabilities()), new BackendCall("req_test", NullLogger.Instance));

    /// <summary>A script that is known by name without compiling anything.</summary>
    public static LoadedScript FakeScript(string name, IReadOnlySet<string>? backends = null, bool compiled = true) => new()
    {
        Name = name,
        Path = "/scripts/" + name,
        Backends = backends,
        Entry = compiled ? _ => Task.FromResult<object>(null!) : null,
    };
}
