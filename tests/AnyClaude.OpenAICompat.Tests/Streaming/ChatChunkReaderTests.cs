using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using AnyClaude.OpenAICompat.Streaming;

namespace AnyClaude.OpenAICompat.Tests.Streaming;

/// <summary>
/// The hand-written chunk reader against System.Text.Json's own deserializer for the same contract: same fields,
/// same values, and the same verdict (read or refused) on every chunk, quirks of every server included.
/// </summary>
public sealed class ChatChunkReaderTests
{
    public static TheoryData<string> Chunks => new()
    {
        // mlx-lm: text, then finish_reason, then usage in the last chunk.
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","system_fingerprint":"x","choices":[{"index":0,"delta":{"role":"assistant","content":" the"},"logprobs":null,"finish_reason":null}]}""",
        """{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":7,"total_tokens":127,"prompt_tokens_details":{"cached_tokens":100}}}""",
        // LM Studio: numeric tool-call ids, arguments in fragments, usage null on every chunk.
        """{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":123456789,"type":"function","function":{"name":"Read","arguments":""}}]},"finish_reason":null}],"usage":null}""",
        """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"file_path\": \"/tmp/a\\u00e9\"}"}}]}}]}""",
        // reasoning under either name, escapes and non-ASCII text.
        """{"choices":[{"delta":{"reasoning":"Let me think \u2014 \"quoted\"\n"}}]}""",
        """{"choices":[{"delta":{"reasoning_content":"step 1","content":null}}]}""",
        """{"choices":[{"delta":{"content":"日本語 \ud83d\ude00 \\ done"}}]}""",
        // vLLM: stop_reason naming the stop string, or a number (a token id).
        """{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","stop_reason":"</answer>"}]}""",
        """{"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop","stop_reason":151645}]}""",
        // llama.cpp asked with return_progress: a role delta with no content and prompt_progress, while it prefills.
        """{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}],"created":1,"id":"chatcmpl-x","model":"m","system_fingerprint":"b1","object":"chat.completion.chunk","prompt_progress":{"total":4096,"cache":1024,"processed":2048,"time_ms":350}}""",
        """{"choices":[],"prompt_progress":{"total":"10","cache":null,"processed":10,"time_ms":"7"}}""",
        // Quoted numbers, nulls everywhere, no choices at all, an error inside the stream.
        """{"choices":[],"usage":{"prompt_tokens":"12","completion_tokens":"3","prompt_tokens_details":null}}""",
        """{"choices":null,"usage":{"prompt_tokens":1,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":null}}}""",
        """{"choices":[{"delta":null,"finish_reason":null}]}""",
        """{"error":{"message":"model crashed","type":"server_error"}}""",
        """{"error":"plain text error"}""",
        """{"unknown":{"nested":[1,{"a":[]}]},"choices":[{"delta":{"content":"x","extra":[{"y":null}]},"extra":true}]}""",
        // Refused by both: wrong types, trailing data, not an object.
        """{"choices":[{"delta":{"content":5}}]}""",
        """{"choices":{"delta":{}}}""",
        """{"choices":[{"delta":{"tool_calls":[{"index":"zero"}]}}]}""",
        """{"usage":{"prompt_tokens":1.5}}""",
        """{"prompt_progress":{"total":10,"processed":2.5}}""",
        """{"prompt_progress":[10]}""",
        """{"choices":[]} {"choices":[]}""",
        """[1,2]""",
        """{"choices":[{"delta":{"content":"unterminated}}]}""",
    };

    [Theory]
    [MemberData(nameof(Chunks))]
    public void Reads_a_chunk_as_the_serializer_does(string json)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        var expected = Deserialize(bytes, out var expectedError);
        var actual = Read(bytes, out var actualError);

        (actualError is null).ShouldBe(expectedError is null, $"serializer: {expectedError?.Message ?? "read"}; reader: {actualError?.Message ?? "read"}");
        if (expected is not null)
        {
            JsonSerializer.Serialize(actual, ReferenceChatJson.Default.ChatChunk).ShouldBe(JsonSerializer.Serialize(expected, ReferenceChatJson.Default.ChatChunk));
        }
    }

    [Fact]
    public void The_reference_comparison_sees_every_field()
    {
        // Guards the test above: a field the reader dropped must show up in the serialized comparison.
        var chunk = ChatChunkReader.Read("""{"choices":[{"delta":{"content":"a","reasoning":"b","reasoning_content":"c","tool_calls":[{"index":1,"id":"i","function":{"name":"n","arguments":"{}"}}]},"finish_reason":"stop","stop_reason":"s"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":3}},"error":"e","prompt_progress":{"total":41,"cache":42,"processed":43,"time_ms":44}}"""u8);
        string json = JsonSerializer.Serialize(chunk, ReferenceChatJson.Default.ChatChunk);
        foreach (string value in (string[])["\"a\"", "\"b\"", "\"c\"", "\"index\":1", "\"i\"", "\"n\"", "\"{}\"", "\"stop\"", "\"s\"", "\"prompt_tokens\":1", "\"completion_tokens\":2", "\"cached_tokens\":3", "\"e\"", "\"total\":41", "\"cache\":42", "\"processed\":43", "\"time_ms\":44"])
        {
            json.ShouldContain(value);
        }
    }

    private static ChatChunk? Deserialize(byte[] bytes, out Exception? error)
    {
        try
        {
            error = null;
            return JsonSerializer.Deserialize(bytes, ReferenceChatJson.Default.ChatChunk) ?? throw new JsonException("null");
        }
        catch (JsonException exception)
        {
            error = exception;
            return null;
        }
    }

    private static ChatChunk? Read(byte[] bytes, out Exception? error)
    {
        try
        {
            error = null;
            return ChatChunkReader.Read(bytes);
        }
        catch (JsonException exception)
        {
            error = exception;
            return null;
        }
    }
}

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(ChatChunk))]
internal sealed partial class ReferenceChatJson : JsonSerializerContext;
