using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport.NativeServers;

/// <summary>
/// A fake of a local server's Anthropic Messages endpoint (llama.cpp's, Ollama's, LM Studio's): <c>POST /v1/messages</c>
/// streamed as Anthropic SSE (<c>message_start</c>, a <c>ping</c>, the blocks, <c>message_delta</c>, <c>message_stop</c>),
/// <c>GET /v1/models</c>, and <c>POST /v1/messages/count_tokens</c> where the server has it (llama.cpp, vLLM) or the
/// 404 of one that has not (Ollama and LM Studio answer gin's and Express's plain "404 page not found" / "Cannot POST").
/// Errors are Anthropic-shaped, with the request id Ollama's middleware adds.
/// </summary>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<NativeReply> _replies = new();
    private readonly LoopbackFakeHost _host;

    private FakeAnthropicServer(LoopbackFakeHost host, FakeAnthropicOptions options)
    {
        _host = host;
        Options = options;
    }

    public FakeAnthropicOptions Options { get; }

    /// <summary>The server root, e.g. <c>http://127.0.0.1:PORT/</c> (the passthrough's URL).</summary>
    public Uri RootUrl => _host.RootUrl;

    public IReadOnlyList<RecordedRequest> Requests => _host.Requests;

    public IReadOnlyList<RecordedRequest> MessageRequests => [.. Requests.Where(r => r.Method == "POST" && r.Path == "/v1/messages")];

    public static async Task<FakeAnthropicServer> StartAsync(FakeAnthropicOptions? options = null)
    {
        FakeAnthropicServer? server = null;
        var host = await LoopbackFakeHost.StartAsync((context, request) => server!.HandleAsync(context, request)).ConfigureAwait(false);
        server = new FakeAnthropicServer(host, options ?? new FakeAnthropicOptions());
        return server;
    }

    public void Enqueue(params NativeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        switch (request.Method, request.Path)
        {
            case ("GET", "/v1/models"):
                await WriteModelsAsync(context).ConfigureAwait(false);
                break;
            case ("POST", "/v1/messages/count_tokens") when Options.CountTokens:
                using (var document = request.Json())
                {
                    // A stand-in tokenizer: one token per 5 bytes of the body, so a test can tell it from the proxy's estimate.
                    await WriteJsonAsync(context, 200, $$"""{"input_tokens":{{request.Body.Length / 5}}}""").ConfigureAwait(false);
                }

                break;
            case ("POST", "/v1/messages"):
                await WriteMessageAsync(context, request).ConfigureAwait(false);
                break;
            default:
                context.Response.StatusCode = 404;
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("404 page not found").ConfigureAwait(false);
                break;
        }
    }

    private Task WriteModelsAsync(HttpContext context)
    {
        var data = new JsonArray();
        foreach (var (id, contextLength) in Options.Models)
        {
            var entry = new JsonObject { ["id"] = id, ["object"] = "model", ["created"] = 1754000000, ["owned_by"] = "library" };
            if (contextLength is { } tokens)
            {
                entry["max_model_len"] = tokens;
            }

            data.Add(entry);
        }

        return WriteJsonAsync(context, 200, new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString());
    }

    private async Task WriteMessageAsync(HttpContext context, RecordedRequest request)
    {
        var reply = _replies.TryDequeue(out var next) ? next : NativeReply.Text("Hello from the fake Anthropic server.");
        if (reply.HttpError is { } error)
        {
            await WriteJsonAsync(context, error.Status, error.Body).ConfigureAwait(false);
            return;
        }

        string model;
        using (var document = request.Json())
        {
            model = document.RootElement.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var usage = new JsonObject { ["input_tokens"] = reply.InputTokens, ["output_tokens"] = 0 };
        if (reply.CachedTokens is { } cached)
        {
            usage["cache_read_input_tokens"] = cached;
            usage["cache_creation_input_tokens"] = 0;
        }

        await SendAsync(context, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_fake0001", ["type"] = "message", ["role"] = "assistant", ["model"] = model,
                ["content"] = new JsonArray(), ["stop_reason"] = null, ["stop_sequence"] = null, ["usage"] = usage,
            },
        }).ConfigureAwait(false);
        await SendAsync(context, "ping", new JsonObject { ["type"] = "ping" }).ConfigureAwait(false);

        int index = 0;
        foreach (var part in reply.Parts)
        {
            await WriteBlockAsync(context, index++, part).ConfigureAwait(false);
            if (reply.StreamErrorMessage is { } message)
            {
                await SendAsync(context, "error", new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject { ["type"] = "api_error", ["message"] = message },
                }).ConfigureAwait(false);
                return;
            }

            if (reply.CutAfterFirstPart)
            {
                context.Abort();
                return;
            }
        }

        string stop = reply.EndReason ?? (reply.Parts.Any(p => p is NativePart.ToolCall) ? "tool_use" : "end_turn");
        await SendAsync(context, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = stop, ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["input_tokens"] = reply.InputTokens, ["output_tokens"] = reply.OutputTokens },
        }).ConfigureAwait(false);
        await SendAsync(context, "message_stop", new JsonObject { ["type"] = "message_stop" }).ConfigureAwait(false);
    }

    private static async Task WriteBlockAsync(HttpContext context, int index, NativePart part)
    {
        (JsonObject start, IEnumerable<JsonObject> deltas) = part switch
        {
            NativePart.Text text => (new JsonObject { ["type"] = "text", ["text"] = "" },
                Pieces(text.Value).Select(piece => new JsonObject { ["type"] = "text_delta", ["text"] = piece })),
            NativePart.Thinking thinking => (new JsonObject { ["type"] = "thinking", ["thinking"] = "", ["signature"] = "" },
                Pieces(thinking.Value).Select(piece => new JsonObject { ["type"] = "thinking_delta", ["thinking"] = piece })
                    .Append(new JsonObject { ["type"] = "signature_delta", ["signature"] = thinking.Signature })),
            NativePart.ToolCall call => (new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = new JsonObject() },
                Pieces(call.ArgumentsJson).Select(piece => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = piece })),
            _ => throw new ArgumentOutOfRangeException(nameof(part)),
        };
        await SendAsync(context, "content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = index, ["content_block"] = start }).ConfigureAwait(false);
        foreach (var delta in deltas)
        {
            await SendAsync(context, "content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta }).ConfigureAwait(false);
        }

        await SendAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = index }).ConfigureAwait(false);
    }

    private static IEnumerable<string> Pieces(string text)
    {
        for (int i = 0; i < text.Length; i += 6)
        {
            yield return text.Substring(i, Math.Min(6, text.Length - i));
        }
    }

    private static async Task SendAsync(HttpContext context, string eventName, JsonObject data)
    {
        await context.Response.WriteAsync($"event: {eventName}\ndata: {data.ToJsonString()}\n\n", Encoding.UTF8).ConfigureAwait(false);
        await context.Response.Body.FlushAsync().ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

public sealed record FakeAnthropicOptions
{
    /// <summary>Whether it serves <c>/v1/messages/count_tokens</c> (llama.cpp, vLLM) or answers 404 (Ollama, LM Studio).</summary>
    public bool CountTokens { get; init; }

    /// <summary>What <c>/v1/models</c> lists, with a <c>max_model_len</c> where given (vLLM's field).</summary>
    public IReadOnlyList<(string Id, int? ContextLength)> Models { get; init; } = [("qwen3-coder:30b", null)];

    /// <summary>An Anthropic error body as Ollama's middleware writes one.</summary>
    public static string ErrorBody(string type, string message) =>
        JsonSerializer.Serialize(new { type = "error", error = new { type, message }, request_id = "req_fake" });
}
