using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Streaming;

namespace AnyClaude.OpenAICompat.Tests.Streaming;

public sealed class ChatStreamTranslatorTests
{
    internal static ChatChunk Chunk(string json) => ChatChunkReader.Read(Encoding.UTF8.GetBytes(json));

    internal static string Content(string text) =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":{{JsonSerializer.Serialize(text)}}},"finish_reason":null}]}""";

    internal static string Finish(string reason) =>
        $$"""{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"{{reason}}"}]}""";

    private const string UsageChunk =
        """{"id":"chatcmpl-1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":37,"total_tokens":1237,"prompt_tokens_details":{"cached_tokens":1000}}}""";

    private static (List<MessageStreamEvent> Events, ChatStreamTranslator Translator) Translate(IEnumerable<string> chunks, int estimatedInputTokens = 50)
    {
        var translator = new ChatStreamTranslator(estimatedInputTokens);
        var events = new List<MessageStreamEvent>();
        foreach (var json in chunks)
        {
            translator.OnChunk(Chunk(json), events);
        }

        translator.Complete(events);
        AssertWellFormed(events);
        return (events, translator);
    }

    /// <summary>The Anthropic grammar: indexes from 0 up by one, no interleaving, thinking closed by a signature, one message_delta then message_stop.</summary>
    internal static void AssertWellFormed(List<MessageStreamEvent> events)
    {
        int expectedIndex = 0;
        int? open = null;
        ContentBlock? openBlock = null;
        MessageStreamEvent? previous = null;
        foreach (var e in events.Take(events.Count - 2))
        {
            switch (e)
            {
                case ContentBlockStartEvent start:
                    open.ShouldBeNull("a block started while another was open");
                    start.Index.ShouldBe(expectedIndex++);
                    open = start.Index;
                    openBlock = start.ContentBlock;
                    break;
                case ContentBlockDeltaEvent delta:
                    delta.Index.ShouldBe(open.ShouldNotBeNull());
                    break;
                case ContentBlockStopEvent stop:
                    stop.Index.ShouldBe(open.ShouldNotBeNull());
                    if (openBlock is ThinkingBlock)
                    {
                        previous.ShouldBeOfType<ContentBlockDeltaEvent>().Delta.ShouldBeOfType<SignatureDelta>();
                    }

                    open = null;
                    break;
                default:
                    throw new ShouldAssertException($"unexpected {e.Type} inside the content");
            }

            previous = e;
        }

        open.ShouldBeNull("a block was left open");
        events[^2].ShouldBeOfType<MessageDeltaEvent>();
        events[^1].ShouldBeOfType<MessageStopEvent>();
    }

    internal static List<(ContentBlock Block, string Text)> Blocks(List<MessageStreamEvent> events)
    {
        var blocks = new List<(ContentBlock Block, System.Text.StringBuilder Text)>();
        foreach (var e in events)
        {
            switch (e)
            {
                case ContentBlockStartEvent start:
                    blocks.Add((start.ContentBlock, new()));
                    break;
                case ContentBlockDeltaEvent { Delta: TextDelta d }:
                    blocks[^1].Text.Append(d.Text);
                    break;
                case ContentBlockDeltaEvent { Delta: ThinkingDelta d }:
                    blocks[^1].Text.Append(d.Thinking);
                    break;
                case ContentBlockDeltaEvent { Delta: InputJsonDelta d }:
                    blocks[^1].Text.Append(d.PartialJson);
                    break;
            }
        }

        return [.. blocks.Select(b => (b.Block, b.Text.ToString()))];
    }

    internal static MessageDeltaEvent End(List<MessageStreamEvent> events) => events[^2].ShouldBeOfType<MessageDeltaEvent>();

    private static async Task<MessageResponse> Fold(List<MessageStreamEvent> events)
    {
        var all = new List<MessageStreamEvent> { new MessageStartEvent(new MessageResponse { Id = "msg", Model = "m" }) };
        all.AddRange(events);
        return await MessageAccumulator.AccumulateAsync(all.ToAsyncEnumerable());
    }

    [Fact]
    public void Plain_text_becomes_one_text_block_at_index_0()
    {
        var (events, _) = Translate([Content("Hel"), Content("lo"), Content(" world"), Finish("stop"), UsageChunk]);

        events[0].ShouldBeOfType<ContentBlockStartEvent>().Index.ShouldBe(0);
        events[0].ShouldBeOfType<ContentBlockStartEvent>().ContentBlock.ShouldBeOfType<TextBlock>();
        var block = Blocks(events).ShouldHaveSingleItem();
        block.Text.ShouldBe("Hello world");
        End(events).Delta.StopReason.ShouldBe(StopReasons.EndTurn);
    }

    [Fact]
    public void Mlx_lm_empty_fields_do_not_open_empty_blocks()
    {
        string[] chunks =
        [
            """{"id":"chatcmpl-9","object":"chat.completion.chunk","model":"mlx-community/Qwen3","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-9","object":"chat.completion.chunk","model":"mlx-community/Qwen3","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi","reasoning":"","tool_calls":[]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-9","object":"chat.completion.chunk","model":"mlx-community/Qwen3","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[]},"finish_reason":"stop"}]}""",
        ];

        var (events, _) = Translate(chunks);

        var block = Blocks(events).ShouldHaveSingleItem();
        block.Block.ShouldBeOfType<TextBlock>();
        block.Text.ShouldBe("Hi");
        events.OfType<ContentBlockStartEvent>().Count().ShouldBe(1);
    }

    [Fact]
    public void Only_empty_deltas_produce_no_blocks_at_all()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[]},"finish_reason":"stop"}]}""",
        ]);

        events.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData("reasoning")]
    [InlineData("reasoning_content")]
    public void Reasoning_fields_become_a_signed_thinking_block_then_text(string field)
    {
        string[] chunks =
        [
            $$"""{"choices":[{"index":0,"delta":{"role":"assistant","{{field}}":"Let me "},"finish_reason":null}]}""",
            $$"""{"choices":[{"index":0,"delta":{"{{field}}":"think."},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"content":"Answer."},"finish_reason":null}]}""",
            Finish("stop"),
        ];

        var (events, _) = Translate(chunks);

        var blocks = Blocks(events);
        blocks.Count.ShouldBe(2);
        blocks[0].Block.ShouldBeOfType<ThinkingBlock>();
        blocks[0].Text.ShouldBe("Let me think.");
        blocks[1].Block.ShouldBeOfType<TextBlock>();
        blocks[1].Text.ShouldBe("Answer.");
        int thinkingStop = events.FindIndex(e => e is ContentBlockStopEvent { Index: 0 });
        events[thinkingStop - 1].ShouldBeOfType<ContentBlockDeltaEvent>().Delta.ShouldBeOfType<SignatureDelta>().Signature.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void Reasoning_content_is_used_when_reasoning_is_present_but_empty()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"content":"","reasoning":"","reasoning_content":"deep thought"},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"content":"ok","reasoning":"","reasoning_content":""},"finish_reason":"stop"}]}""",
        ]);

        var blocks = Blocks(events);
        blocks.Count.ShouldBe(2);
        blocks[0].Block.ShouldBeOfType<ThinkingBlock>();
        blocks[0].Text.ShouldBe("deep thought");
        blocks[1].Text.ShouldBe("ok");
    }

    [Fact]
    public void Mlx_lm_whole_tool_calls_each_in_its_own_chunk_with_index_0()
    {
        string[] chunks =
        [
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"I'll read both.","reasoning":"","tool_calls":[]},"finish_reason":null}]}""",
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[{"function":{"name":"Read","arguments":"{\"file_path\": \"/a.txt\"}"},"type":"function","id":"0f5bd8a2-3c4e-4b7a-9d21-6f0e1c2b3a45","index":0}]},"finish_reason":null}]}""",
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[{"function":{"name":"Read","arguments":"{\"file_path\": \"/b.txt\"}"},"type":"function","id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","index":0}]},"finish_reason":null}]}""",
            """{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"","tool_calls":[]},"finish_reason":"tool_calls"}]}""",
            UsageChunk,
        ];

        var (events, _) = Translate(chunks);

        var blocks = Blocks(events);
        blocks.Count.ShouldBe(3);
        blocks[0].Text.ShouldBe("I'll read both.");
        var first = blocks[1].Block.ShouldBeOfType<ToolUseBlock>();
        first.Id.ShouldBe("0f5bd8a2-3c4e-4b7a-9d21-6f0e1c2b3a45");
        first.Name.ShouldBe("Read");
        JsonDocument.Parse(blocks[1].Text).RootElement.GetProperty("file_path").GetString().ShouldBe("/a.txt");
        var second = blocks[2].Block.ShouldBeOfType<ToolUseBlock>();
        second.Id.ShouldBe("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        JsonDocument.Parse(blocks[2].Text).RootElement.GetProperty("file_path").GetString().ShouldBe("/b.txt");
        End(events).Delta.StopReason.ShouldBe(StopReasons.ToolUse);
    }

    [Fact]
    public void Whole_tool_calls_without_index_are_not_merged()
    {
        string[] chunks =
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"ls\"}"}}]},"finish_reason":null}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_2","type":"function","function":{"name":"Bash","arguments":"{\"command\":\"pwd\"}"}}]},"finish_reason":null}]}""",
            Finish("tool_calls"),
        ];

        var (events, _) = Translate(chunks);

        var blocks = Blocks(events);
        blocks.Select(b => ((ToolUseBlock)b.Block).Id).ShouldBe(["call_1", "call_2"]);
        blocks.Select(b => b.Text).ShouldBe(["""{"command":"ls"}""", """{"command":"pwd"}"""]);
    }

    [Fact]
    public void Lm_studio_fragments_with_numeric_id_and_empty_first_arguments()
    {
        string[] chunks =
        [
            """{"id":"chatcmpl-x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"365174485","type":"function","function":{"name":"Write","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"type":"function","function":{"arguments":"{\"file_path\":"}}]},"finish_reason":null}]}""",
            """{"id":"chatcmpl-x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"type":"function","function":{"arguments":"\"/tmp/x\",\"content\":\"hi\"}"}}]},"finish_reason":null}]}""",
            Finish("tool_calls"),
        ];

        var (events, _) = Translate(chunks);

        var block = Blocks(events).ShouldHaveSingleItem();
        var toolUse = block.Block.ShouldBeOfType<ToolUseBlock>();
        toolUse.Id.ShouldBe("365174485");
        toolUse.Name.ShouldBe("Write");
        block.Text.ShouldBe("""{"file_path":"/tmp/x","content":"hi"}""");
    }

    [Fact]
    public void Lm_studio_numeric_json_id_is_accepted()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":123456,"type":"function","function":{"name":"Read","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}""",
        ]);

        Blocks(events).ShouldHaveSingleItem().Block.ShouldBeOfType<ToolUseBlock>().Id.ShouldBe("123456");
    }

    [Fact]
    public void Interleaved_tool_call_indexes_are_kept_apart()
    {
        string[] chunks =
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"Read","arguments":""}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"Grep","arguments":"{\"pattern\":"}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"file_path\":\"/a\"}"}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"TODO\"}"}}]}}]}""",
            Finish("tool_calls"),
        ];

        var (events, _) = Translate(chunks);

        var blocks = Blocks(events);
        blocks.Count.ShouldBe(2);
        ((ToolUseBlock)blocks[0].Block).Name.ShouldBe("Read");
        blocks[0].Text.ShouldBe("""{"file_path":"/a"}""");
        ((ToolUseBlock)blocks[1].Block).Name.ShouldBe("Grep");
        blocks[1].Text.ShouldBe("""{"pattern":"TODO"}""");
    }

    [Fact]
    public void Id_repeated_on_every_fragment_does_not_duplicate_the_call()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_z","type":"function","function":{"name":"Bash","arguments":"{\"command\":"}}]}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_z","type":"function","function":{"arguments":"\"ls\"}"}}]}}]}""",
            Finish("tool_calls"),
        ]);

        var block = Blocks(events).ShouldHaveSingleItem();
        block.Text.ShouldBe("""{"command":"ls"}""");
        events.OfType<ContentBlockStartEvent>().Count(e => e.ContentBlock is ToolUseBlock).ShouldBe(1);
    }

    [Fact]
    public void Empty_arguments_become_an_empty_object()
    {
        var (events, translator) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"TodoList","arguments":""}}]}}]}""",
            Finish("tool_calls"),
        ]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("{}");
        translator.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Invalid_json_arguments_become_an_empty_object_and_a_warning()
    {
        var (events, translator) = Translate(
        [
            // No repair makes this an object (a cut-off object is repaired: see the test below).
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"Bash","arguments":"command = ls"}}]}}]}""",
            Finish("tool_calls"),
        ]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("{}");
        translator.Warnings.ShouldHaveSingleItem().ShouldContain("Bash");
        var message = await Fold(events);
        message.Content.ShouldHaveSingleItem().ShouldBeOfType<ToolUseBlock>().Input.ValueKind.ShouldBe(JsonValueKind.Object);
    }

    [Fact]
    public void Slightly_broken_json_arguments_are_repaired_with_a_warning()
    {
        var (events, translator) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"Bash","arguments":"{'command': 'ls',"}}]}}]}""",
            Finish("tool_calls"),
        ]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("""{"command": "ls"}""");
        translator.Warnings.ShouldHaveSingleItem().ShouldContain("repaired");
    }

    [Theory]
    [InlineData("stop", StopReasons.EndTurn)]
    [InlineData("length", StopReasons.MaxTokens)]
    [InlineData("tool_calls", StopReasons.ToolUse)]
    [InlineData("tool_call", StopReasons.ToolUse)]
    [InlineData("function_call", StopReasons.ToolUse)]
    [InlineData("content_filter", StopReasons.Refusal)]
    [InlineData("something_new", StopReasons.EndTurn)]
    public void Finish_reasons_map_to_stop_reasons(string finishReason, string stopReason)
    {
        var (events, translator) = Translate([Content("x"), Finish(finishReason)]);

        End(events).Delta.StopReason.ShouldBe(stopReason);
        End(events).Delta.StopSequence.ShouldBeNull();
        translator.SawFinishReason.ShouldBeTrue();
    }

    [Fact]
    public void Tool_calls_with_finish_reason_stop_end_with_tool_use()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"Read","arguments":"{}"}}]}}]}""",
            Finish("stop"),
        ]);

        End(events).Delta.StopReason.ShouldBe(StopReasons.ToolUse);
    }

    [Fact]
    public void Usage_maps_cached_tokens_to_cache_reads()
    {
        var (events, _) = Translate([Content("x"), Finish("stop"), UsageChunk]);

        var usage = End(events).Usage;
        usage.InputTokens.ShouldBe(200);
        usage.CacheReadInputTokens.ShouldBe(1000);
        usage.OutputTokens.ShouldBe(37);
        usage.CacheCreationInputTokens.ShouldBe(0);
    }

    [Fact]
    public void Usage_without_cached_tokens_is_all_input()
    {
        var (events, _) = Translate([Content("x"), Finish("stop"), """{"choices":[],"usage":{"prompt_tokens":80,"completion_tokens":5,"total_tokens":85}}"""]);

        End(events).Usage.InputTokens.ShouldBe(80);
        End(events).Usage.CacheReadInputTokens.ShouldBe(0);
        End(events).Usage.OutputTokens.ShouldBe(5);
    }

    [Fact]
    public void Missing_usage_chunk_falls_back_to_an_estimate()
    {
        var (events, _) = Translate([Content("a"), Content("b"), Content("c"), Finish("stop")], estimatedInputTokens: 321);

        var usage = End(events).Usage;
        usage.InputTokens.ShouldBe(321);
        usage.OutputTokens.ShouldBeGreaterThan(0);
        usage.CacheReadInputTokens.ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Metal out of memory","type":"server_error"}}""", "Metal out of memory")]
    [InlineData("""{"error":"generation failed"}""", "generation failed")]
    public void Error_object_inside_a_chunk_throws(string chunk, string message)
    {
        var translator = new ChatStreamTranslator(10);
        var events = new List<MessageStreamEvent>();
        translator.OnChunk(Chunk(Content("partial")), events);

        var exception = Should.Throw<AnthropicException>(() => translator.OnChunk(Chunk(chunk), events));

        exception.ErrorType.ShouldBe(AnthropicErrorTypes.Api);
        exception.Message.ShouldContain(message);
    }

    [Fact]
    public async Task Translated_stream_folds_into_the_expected_message()
    {
        var (events, _) = Translate(
        [
            """{"choices":[{"index":0,"delta":{"reasoning_content":"plan"}}]}""",
            """{"choices":[{"index":0,"delta":{"content":"Doing it."}}]}""",
            """{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c9","type":"function","function":{"name":"Write","arguments":"{\"file_path\":\"/x\",\"content\":\"y\"}"}}]}}]}""",
            Finish("tool_calls"),
            UsageChunk,
        ]);

        var message = await Fold(events);

        message.Content.Select(b => b.Type).ShouldBe(["thinking", "text", "tool_use"]);
        message.Content[2].ShouldBeOfType<ToolUseBlock>().Input.GetProperty("content").GetString().ShouldBe("y");
        message.StopReason.ShouldBe(StopReasons.ToolUse);
        message.Usage.CacheReadInputTokens.ShouldBe(1000);
    }
}
