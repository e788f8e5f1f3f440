using System.Text;
using System.Text.Json;

namespace AnyClaude.LoadBench;

/// <summary>
/// The answers every target streams, pre-rendered to bytes once: 200 short text chunks (the "text" variant), or a
/// few words followed by a tool call whose arguments arrive in fragments (the "tool" variant). The OpenAI
/// rendering feeds the proxies; the Anthropic rendering is what the direct (no-proxy) fake sends, token for token.
/// </summary>
internal static class Streams
{
    public const int TextChunks = 200;
    public const int ToolTextChunks = 20;
    public const int ToolArgumentFragments = 40;
    public const string ToolName = "Tool1";

    /// <summary>A marker in the last user message that asks the fake backends for the tool variant.</summary>
    public const string ToolMarker = "PLEASE_CALL_A_TOOL";

    public static readonly string[] TextTokens = Enumerable.Range(0, TextChunks).Select(Token).ToArray();
    public static readonly string[] ToolTextTokens = TextTokens[..ToolTextChunks];
    public static readonly string ToolArguments = "{\"file_path\":\"/home/user/project/src/" + string.Concat(Enumerable.Range(0, 60).Select(i => $"dir{i}/")) + "Parser.cs\",\"limit\":200}";

    public static string ExpectedText(bool tool) => string.Concat(tool ? ToolTextTokens : TextTokens);

    /// <summary>Short tokens like a real model's: words of 2–8 characters with a leading space.</summary>
    private static string Token(int i) => (i % 7) switch
    {
        0 => " the",
        1 => " parser",
        2 => " reads",
        3 => " tokens",
        4 => $" {i}",
        5 => " and",
        _ => " writes\n",
    };

    public static string[] ArgumentFragments()
    {
        var fragments = new string[ToolArgumentFragments];
        int size = (ToolArguments.Length + ToolArgumentFragments - 1) / ToolArgumentFragments;
        for (int i = 0; i < ToolArgumentFragments; i++)
        {
            int start = Math.Min(i * size, ToolArguments.Length);
            fragments[i] = ToolArguments[start..Math.Min(start + size, ToolArguments.Length)];
        }

        return fragments;
    }

    /// <summary>Opens a chunk object with the fields every chunk of the stream repeats.</summary>
    private static void StartChunk(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", "chatcmpl-bench");
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", 1_700_000_000);
        w.WriteString("model", "bench-model");
    }

    /// <summary>OpenAI chat.completion.chunk frames, one array element per SSE frame.</summary>
    public static byte[][] OpenAI(bool tool, int promptTokens = 24_000, int cachedTokens = 0)
    {
        var frames = new List<byte[]>();
        void Chunk(Action<Utf8JsonWriter> delta, string? finish = null)
        {
            frames.Add(Frame(null, w =>
            {
                StartChunk(w);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                delta(w);
                w.WriteEndObject();
                if (finish is null)
                {
                    w.WriteNull("finish_reason");
                }
                else
                {
                    w.WriteString("finish_reason", finish);
                }

                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }

        var tokens = tool ? ToolTextTokens : TextTokens;
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i];
            Chunk(w =>
            {
                if (i == 0)
                {
                    w.WriteString("role", "assistant");
                }

                w.WriteString("content", token);
            });
        }

        if (tool)
        {
            var fragments = ArgumentFragments();
            Chunk(w => ToolCall(w, "call_bench_1", ToolName, ""));
            foreach (var fragment in fragments)
            {
                Chunk(w => ToolCall(w, null, null, fragment));
            }
        }

        Chunk(_ => { }, tool ? "tool_calls" : "stop");
        int completion = tool ? ToolTextChunks + ToolArgumentFragments + 1 : TextChunks;
        frames.Add(Frame(null, w =>
        {
            StartChunk(w);
            w.WriteStartArray("choices");
            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("completion_tokens", completion);
            w.WriteNumber("total_tokens", promptTokens + completion);
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", cachedTokens);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }));
        frames.Add("data: [DONE]\n\n"u8.ToArray());
        return frames.ToArray();
    }

    private static void ToolCall(Utf8JsonWriter w, string? id, string? name, string arguments)
    {
        w.WriteStartArray("tool_calls");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        if (id is not null)
        {
            w.WriteString("id", id);
            w.WriteString("type", "function");
        }

        w.WriteStartObject("function");
        if (name is not null)
        {
            w.WriteString("name", name);
        }

        w.WriteString("arguments", arguments);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>The same answer as Anthropic SSE frames, as the API itself would send it.</summary>
    public static byte[][] Anthropic(bool tool)
    {
        var frames = new List<byte[]>
        {
            Frame("message_start", w =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_start");
                w.WriteStartObject("message");
                w.WriteString("id", "msg_bench");
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", "claude-sonnet-4-5");
                w.WriteStartArray("content");
                w.WriteEndArray();
                w.WriteNull("stop_reason");
                w.WriteNull("stop_sequence");
                w.WriteStartObject("usage");
                w.WriteNumber("input_tokens", 24_000);
                w.WriteNumber("output_tokens", 1);
                w.WriteNumber("cache_creation_input_tokens", 0);
                w.WriteNumber("cache_read_input_tokens", 0);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }),
            Frame("content_block_start", w => w.WriteRawValue("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")),
        };
        foreach (var token in tool ? ToolTextTokens : TextTokens)
        {
            frames.Add(DeltaFrame(0, "text_delta", "text", token));
        }

        frames.Add(Frame("content_block_stop", w => w.WriteRawValue("""{"type":"content_block_stop","index":0}""")));
        if (tool)
        {
            frames.Add(Frame("content_block_start", w => w.WriteRawValue("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_bench_1\",\"name\":\"" + ToolName + "\",\"input\":{}}}")));
            foreach (var fragment in ArgumentFragments())
            {
                frames.Add(DeltaFrame(1, "input_json_delta", "partial_json", fragment));
            }

            frames.Add(Frame("content_block_stop", w => w.WriteRawValue("""{"type":"content_block_stop","index":1}""")));
        }

        int output = tool ? ToolTextChunks + ToolArgumentFragments + 1 : TextChunks;
        frames.Add(Frame("message_delta", w => w.WriteRawValue($$$"""{"type":"message_delta","delta":{"stop_reason":"{{{(tool ? "tool_use" : "end_turn")}}}","stop_sequence":null},"usage":{"output_tokens":{{{output}}}}}""")));
        frames.Add(Frame("message_stop", w => w.WriteRawValue("""{"type":"message_stop"}""")));
        return frames.ToArray();
    }

    /// <summary>A <c>content_block_delta</c> frame whose delta carries one string field.</summary>
    private static byte[] DeltaFrame(int index, string deltaType, string field, string value) => Frame("content_block_delta", w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "content_block_delta");
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        w.WriteString("type", deltaType);
        w.WriteString(field, value);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Frame(string? eventType, Action<Utf8JsonWriter> data)
    {
        using var buffer = new MemoryStream();
        if (eventType is not null)
        {
            buffer.Write(Encoding.UTF8.GetBytes($"event: {eventType}\n"));
        }

        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            data(writer);
        }

        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }
}
