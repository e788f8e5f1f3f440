using System.Text.Json;
using AnyClaude.OpenAICompat.Streaming;

namespace AnyClaude.Plugins.Ollama;

/// <summary>
/// One NDJSON line of <c>/api/chat</c> (<c>{"message":{"content","thinking","tool_calls"},"done","done_reason",
/// "prompt_eval_count","eval_count"}</c>, or <c>{"error":"…"}</c>) as the Chat Completions chunk it amounts to, so the
/// OpenAI-compatible stream translator (think tags, stop sequences, tool-call blocks, usage) does the rest.
/// </summary>
internal static class OllamaChunk
{
    /// <param name="nextToolIndex">Tool calls arrive whole, one or more a line: each gets the next index.</param>
    public static ChatChunk ToChatChunk(ReadOnlySpan<byte> line, ref int nextToolIndex)
    {
        var reader = new Utf8JsonReader(line);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a line of the stream is not a JSON object");
        }

        if (root.TryGetProperty("error", out var error))
        {
            return new ChatChunk { Error = error.Clone() };
        }

        var delta = new ChatDelta();
        if (root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
        {
            delta.Content = StringOf(message, "content");
            delta.Reasoning = StringOf(message, "thinking");
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                delta.ToolCalls = [];
                foreach (var call in calls.EnumerateArray())
                {
                    var function = call.GetProperty("function");
                    delta.ToolCalls.Add(new ChatToolCallDelta
                    {
                        Index = nextToolIndex++,
                        Id = call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.Clone() : null,
                        Function = new ChatFunctionDelta
                        {
                            Name = StringOf(function, "name"),
                            // Ollama sends the arguments as an object, not as a JSON string.
                            Arguments = function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.Object
                                ? arguments.GetRawText()
                                : "{}",
                        },
                    });
                }
            }
        }

        var choice = new ChatChoice { Delta = delta };
        var chunk = new ChatChunk { Choices = [choice] };
        if (root.TryGetProperty("done", out var done) && done.ValueKind == JsonValueKind.True)
        {
            choice.FinishReason = StringOf(root, "done_reason") == "length" ? "length" : nextToolIndex > 0 ? "tool_calls" : "stop";
            chunk.Usage = new ChatUsage { PromptTokens = IntOf(root, "prompt_eval_count"), CompletionTokens = IntOf(root, "eval_count") };
        }

        return chunk;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int IntOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out int number) ? number : 0;
}
