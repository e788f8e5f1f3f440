using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport.NativeServers;

/// <summary>
/// A fake of Ollama's native API, shapes from its <c>server/routes.go</c> and <c>api/types.go</c>: <c>GET /api/tags</c>,
/// <c>POST /api/show</c> (<c>model_info["&lt;arch&gt;.context_length"]</c>, <c>capabilities</c>), and <c>POST /api/chat</c>
/// answering NDJSON lines (<c>message.content</c>/<c>thinking</c>/<c>tool_calls</c> whole, then a <c>done</c> line with
/// <c>done_reason</c> and the counts) or one object without <c>stream</c>. Errors are <c>{"error":"…"}</c> with a status;
/// a model without <c>thinking</c> refuses <c>think: true</c>. Without <c>options.num_ctx</c> it uses
/// <see cref="FakeOllamaOptions.ServerDefaultContext"/> and, unless <c>truncate: false</c>, cuts an overlong prompt
/// silently (counted in <see cref="SilentTruncations"/>); with <c>truncate: false</c> it refuses it.
/// </summary>
public sealed class FakeOllamaServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<NativeReply> _replies = new();
    private readonly LoopbackFakeHost _host;
    private int _silentTruncations;

    private FakeOllamaServer(LoopbackFakeHost host, FakeOllamaOptions options)
    {
        _host = host;
        Options = options;
    }

    public FakeOllamaOptions Options { get; }

    public Uri RootUrl => _host.RootUrl;

    public IReadOnlyList<RecordedRequest> Requests => _host.Requests;

    public IReadOnlyList<RecordedRequest> ChatRequests => [.. Requests.Where(r => r.Method == "POST" && r.Path == "/api/chat")];

    /// <summary>Prompts longer than the window that were cut without a word, as Ollama does with its defaults.</summary>
    public int SilentTruncations => _silentTruncations;

    public static async Task<FakeOllamaServer> StartAsync(FakeOllamaOptions? options = null)
    {
        FakeOllamaServer? server = null;
        var host = await LoopbackFakeHost.StartAsync((context, request) => server!.HandleAsync(context, request)).ConfigureAwait(false);
        server = new FakeOllamaServer(host, options ?? new FakeOllamaOptions());
        return server;
    }

    public void Enqueue(params NativeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    private Task HandleAsync(HttpContext context, RecordedRequest request) => (request.Method, request.Path) switch
    {
        ("GET", "/api/tags") => WriteTagsAsync(context),
        ("POST", "/api/show") => WriteShowAsync(context, request),
        ("POST", "/api/chat") => WriteChatAsync(context, request),
        _ => WritePlainAsync(context, 404, "404 page not found"),
    };

    private Task WriteTagsAsync(HttpContext context)
    {
        var models = new JsonArray();
        foreach (var model in Options.Models)
        {
            models.Add(new JsonObject
            {
                ["name"] = model.Name, ["model"] = model.Name, ["modified_at"] = "2026-11-30T10:00:00.000000000Z",
                ["size"] = 18556688384, ["digest"] = "0b4284c1f87029e67654c7953afa16279961632cf73dcfe33374c4c2f298fa35",
                ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = model.Architecture, ["parameter_size"] = "30.5B", ["quantization_level"] = "Q4_K_M" },
            });
        }

        return WriteJsonAsync(context, 200, new JsonObject { ["models"] = models }.ToJsonString());
    }

    private Task WriteShowAsync(HttpContext context, RecordedRequest request)
    {
        using var document = request.Json();
        string name = document.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        if (Find(name) is not { } model)
        {
            return WriteErrorAsync(context, 404, $"model '{name}' not found");
        }

        var info = new JsonObject { ["general.architecture"] = model.Architecture, ["general.parameter_count"] = 30532122624 };
        if (model.ContextLength is { } length)
        {
            info[$"{model.Architecture}.context_length"] = length;
        }

        info[$"{model.Architecture}.embedding_length"] = 2048;
        var capabilities = new JsonArray();
        foreach (string capability in model.Capabilities)
        {
            capabilities.Add(capability);
        }

        return WriteJsonAsync(context, 200, new JsonObject
        {
            ["license"] = "Apache License", ["modelfile"] = "FROM /models/blob", ["parameters"] = "temperature 0.7",
            ["template"] = "{{ .Prompt }}",
            ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = model.Architecture },
            ["model_info"] = info,
            ["capabilities"] = capabilities,
            ["modified_at"] = "2026-11-30T10:00:00Z",
        }.ToJsonString());
    }

    private async Task WriteChatAsync(HttpContext context, RecordedRequest request)
    {
        using var document = request.Json();
        var root = document.RootElement;
        string name = root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        if (Find(name) is not { } model)
        {
            await WriteErrorAsync(context, 404, $"model '{name}' not found").ConfigureAwait(false);
            return;
        }

        if (root.TryGetProperty("think", out var think) && think.ValueKind == JsonValueKind.True && !model.Capabilities.Contains("thinking"))
        {
            await WriteErrorAsync(context, 400, $"\"{name}\" does not support thinking").ConfigureAwait(false);
            return;
        }

        if (root.TryGetProperty("tools", out var tools) && tools.GetArrayLength() > 0 && !model.Capabilities.Contains("tools"))
        {
            await WriteErrorAsync(context, 400, $"registry.ollama.ai/library/{name} does not support tools").ConfigureAwait(false);
            return;
        }

        int window = root.TryGetProperty("options", out var options) && options.TryGetProperty("num_ctx", out var numCtx) ? numCtx.GetInt32() : Options.ServerDefaultContext;
        bool truncate = !(root.TryGetProperty("truncate", out var t) && t.ValueKind == JsonValueKind.False);
        if (request.Body.Length / 4 > window)
        {
            if (!truncate)
            {
                await WriteErrorAsync(context, 400, "the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length").ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _silentTruncations);
        }

        var reply = _replies.TryDequeue(out var next) ? next : NativeReply.Text("Hello from the fake Ollama.");
        if (reply.HttpError is { } error)
        {
            await WriteJsonAsync(context, error.Status, error.Body).ConfigureAwait(false);
            return;
        }

        bool stream = !(root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.False);
        if (!stream)
        {
            await WriteJsonAsync(context, 200, Done(name, reply, Whole(reply)).ToJsonString()).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-ndjson";
        int call = 0;
        bool first = true;
        foreach (var part in reply.Parts)
        {
            foreach (var message in Lines(part, ref call))
            {
                await WriteLineAsync(context, Chunk(name, message)).ConfigureAwait(false);
            }

            if (first && reply.StreamErrorMessage is { } failure)
            {
                await WriteLineAsync(context, new JsonObject { ["error"] = failure }).ConfigureAwait(false);
                return;
            }

            if (first && reply.CutAfterFirstPart)
            {
                context.Abort();
                return;
            }

            first = false;
        }

        await WriteLineAsync(context, Done(name, reply, new JsonObject { ["role"] = "assistant", ["content"] = "" })).ConfigureAwait(false);
    }

    /// <summary>Text and thinking come a few characters a line; each tool call arrives whole in its own line.</summary>
    private static IEnumerable<JsonObject> Lines(NativePart part, ref int call)
    {
        var lines = new List<JsonObject>();
        switch (part)
        {
            case NativePart.Text text:
                lines.AddRange(Pieces(text.Value).Select(piece => new JsonObject { ["role"] = "assistant", ["content"] = piece }));
                break;
            case NativePart.Thinking thinking:
                lines.AddRange(Pieces(thinking.Value).Select(piece => new JsonObject { ["role"] = "assistant", ["content"] = "", ["thinking"] = piece }));
                break;
            case NativePart.ToolCall tool:
                lines.Add(new JsonObject { ["role"] = "assistant", ["content"] = "", ["tool_calls"] = new JsonArray { ToolCall(tool, call++) } });
                break;
        }

        return lines;
    }

    private static JsonObject Whole(NativeReply reply)
    {
        var message = new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = string.Concat(reply.Parts.OfType<NativePart.Text>().Select(p => p.Value)),
        };
        if (reply.Parts.OfType<NativePart.Thinking>().Any())
        {
            message["thinking"] = string.Concat(reply.Parts.OfType<NativePart.Thinking>().Select(p => p.Value));
        }

        var calls = reply.Parts.OfType<NativePart.ToolCall>().Select((c, i) => (JsonNode)ToolCall(c, i)).ToArray();
        if (calls.Length > 0)
        {
            message["tool_calls"] = new JsonArray(calls);
        }

        return message;
    }

    private static JsonObject ToolCall(NativePart.ToolCall call, int index) => new()
    {
        ["id"] = call.Id,
        ["function"] = new JsonObject { ["index"] = index, ["name"] = call.Name, ["arguments"] = JsonNode.Parse(call.ArgumentsJson) },
    };

    private static JsonObject Chunk(string model, JsonObject message) => new()
    {
        ["model"] = model, ["created_at"] = "2026-12-01T10:00:00.000000Z", ["message"] = message, ["done"] = false,
    };

    private static JsonObject Done(string model, NativeReply reply, JsonObject message) => new()
    {
        ["model"] = model, ["created_at"] = "2026-12-01T10:00:01.000000Z", ["message"] = message, ["done"] = true,
        ["done_reason"] = reply.EndReason ?? "stop",
        ["total_duration"] = 1_200_000_000, ["load_duration"] = 20_000_000,
        ["prompt_eval_count"] = reply.InputTokens, ["prompt_eval_duration"] = 800_000_000,
        ["eval_count"] = reply.OutputTokens, ["eval_duration"] = 300_000_000,
    };

    private FakeOllamaModel? Find(string name) => Options.Models.FirstOrDefault(m => m.Name == name);

    private static IEnumerable<string> Pieces(string text)
    {
        for (int i = 0; i < text.Length; i += 5)
        {
            yield return text.Substring(i, Math.Min(5, text.Length - i));
        }
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line)
    {
        await context.Response.WriteAsync(line.ToJsonString() + "\n", Encoding.UTF8).ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, JsonSerializer.Serialize(new { error = message }));

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(json).ConfigureAwait(false);
    }

    private static async Task WritePlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

/// <summary>A model the fake Ollama has pulled.</summary>
public sealed record FakeOllamaModel(string Name, string Architecture, int? ContextLength, IReadOnlyList<string> Capabilities);

public sealed record FakeOllamaOptions
{
    public IReadOnlyList<FakeOllamaModel> Models { get; init; } =
        [new("qwen3-coder:30b", "qwen3moe", 262144, ["completion", "tools"]), new("qwen3:8b", "qwen3", 40960, ["completion", "tools", "thinking"])];

    /// <summary>The window Ollama loads a model with when the request names none (4096 on a small GPU).</summary>
    public int ServerDefaultContext { get; init; } = 4096;
}
