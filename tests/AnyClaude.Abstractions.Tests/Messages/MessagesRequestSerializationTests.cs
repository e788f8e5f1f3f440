using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;

namespace AnyClaude.Abstractions.Tests.Messages;

public sealed class MessagesRequestSerializationTests
{
    // Shaped like a real Claude Code 2.1.x turn (field order as sent), trimmed in size.
    private const string ClaudeCodeRequest = """
        {
          "model": "claude-sonnet-4-5",
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "<system-reminder>\nAs you answer, use the context.\n</system-reminder>"},
              {"type": "text", "text": "Write hello.txt"}
            ]},
            {"role": "system", "content": "Mid-conversation instructions from the harness."},
            {"role": "assistant", "content": [
              {"type": "thinking", "thinking": "The user wants a file.", "signature": "EqQBCkYIBxgCKkD"},
              {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va"},
              {"type": "text", "text": "Writing it now."},
              {"type": "tool_use", "id": "toolu_01A", "name": "Write", "input": {"file_path": "/tmp/hello.txt", "content": "hi"}}
            ]},
            {"role": "user", "content": [
              {"type": "tool_result", "tool_use_id": "toolu_01A", "content": [{"type": "text", "text": "File created"}], "is_error": false},
              {"type": "tool_result", "tool_use_id": "toolu_01B", "content": "plain string result"},
              {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
              {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "doc body"}, "title": "notes", "citations": {"enabled": true}},
              {"type": "server_tool_use_future", "id": "srvtoolu_9", "payload": {"nested": [1, 2, {"x": null}]}},
              {"type": "text", "text": "Now read it back", "cache_control": {"type": "ephemeral"}}
            ]}
          ],
          "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.197.38b; cc_entrypoint=cli;"},
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "You are an interactive CLI tool. Working directory: /work", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
          ],
          "tools": [
            {"name": "Write", "description": "Writes a file", "input_schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"file_path": {"type": "string"}, "content": {"type": "string"}}, "required": ["file_path", "content"], "additionalProperties": false}},
            {"name": "WebFetch", "description": "Fetches a URL", "input_schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "properties": {"url": {"type": "string", "format": "uri"}}, "required": ["url"]}}
          ],
          "metadata": {"user_id": "{\"device_id\":\"abc\",\"session_id\":\"s-1\"}"},
          "max_tokens": 64000,
          "thinking": {"type": "adaptive"},
          "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
          "output_config": {"effort": "high", "format_hint": "future"},
          "stream": true
        }
        """;

    private static MessagesRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.MessagesRequest)!;

    private static string Serialize(MessagesRequest request) =>
        JsonSerializer.Serialize(request, AnthropicJsonContext.Default.MessagesRequest);

    [Fact]
    public void Claude_code_request_parses_into_typed_blocks()
    {
        var request = Parse(ClaudeCodeRequest);

        request.Model.ShouldBe("claude-sonnet-4-5");
        request.MaxTokens.ShouldBe(64000);
        request.Stream.ShouldBe(true);
        request.Thinking!.Type.ShouldBe("adaptive");
        request.Thinking.IsEnabled.ShouldBeTrue();
        request.OutputConfig!.Effort.ShouldBe("high");

        request.System!.Count.ShouldBe(3);
        request.System[0].CacheControl.ShouldBeNull();
        request.System[1].CacheControl!.Value.GetProperty("type").GetString().ShouldBe("ephemeral");
        request.System[2].Text.ShouldStartWith("You are an interactive CLI tool.");

        request.Messages.Select(m => m.Role).ShouldBe(["user", "system", "assistant", "user"]);
        var systemMessage = request.Messages[1].Content.ShouldHaveSingleItem().ShouldBeOfType<TextBlock>();
        systemMessage.Text.ShouldBe("Mid-conversation instructions from the harness.");

        var assistant = request.Messages[2].Content;
        assistant[0].ShouldBeOfType<ThinkingBlock>().Signature.ShouldBe("EqQBCkYIBxgCKkD");
        assistant[1].ShouldBeOfType<RedactedThinkingBlock>().Data.ShouldBe("EmwKAhgBEgy3va");
        var toolUse = assistant[3].ShouldBeOfType<ToolUseBlock>();
        toolUse.Name.ShouldBe("Write");
        toolUse.Input.GetProperty("file_path").GetString().ShouldBe("/tmp/hello.txt");

        var user = request.Messages[3].Content;
        var result = user[0].ShouldBeOfType<ToolResultBlock>();
        result.ToolUseId.ShouldBe("toolu_01A");
        result.IsError.ShouldBe(false);
        result.Content!.ShouldHaveSingleItem().ShouldBeOfType<TextBlock>().Text.ShouldBe("File created");
        user[1].ShouldBeOfType<ToolResultBlock>().Content!.ShouldHaveSingleItem().ShouldBeOfType<TextBlock>().Text.ShouldBe("plain string result");
        var image = user[2].ShouldBeOfType<ImageBlock>();
        image.Source.MediaType.ShouldBe("image/png");
        image.Source.Data.ShouldBe("iVBORw0KGgo=");
        var document = user[3].ShouldBeOfType<DocumentBlock>();
        document.Title.ShouldBe("notes");
        document.Source.Type.ShouldBe("text");
        document.ExtensionData!.ShouldContainKey("citations");
        var unknown = user[4].ShouldBeOfType<UnknownBlock>();
        unknown.Type.ShouldBe("server_tool_use_future");
        unknown.Raw.GetProperty("payload").GetProperty("nested").GetArrayLength().ShouldBe(3);
        user[5].CacheControl.ShouldNotBeNull();

        request.Tools!.Count.ShouldBe(2);
        request.Tools[1].InputSchema.GetProperty("$schema").GetString().ShouldBe("https://json-schema.org/draft/2020-12/schema");
        request.Tools[1].InputSchema.GetProperty("properties").GetProperty("url").GetProperty("format").GetString().ShouldBe("uri");

        request.ExtensionData!.Keys.ShouldBe(["context_management"], ignoreOrder: true);
        request.OutputConfig.ExtensionData!.ShouldContainKey("format_hint");
    }

    [Fact]
    public void Claude_code_request_round_trips_without_losing_anything()
    {
        using var original = JsonDocument.Parse(ClaudeCodeRequest);
        using var roundTripped = JsonDocument.Parse(Serialize(Parse(ClaudeCodeRequest)));

        JsonContainment.AssertContains(original.RootElement, roundTripped.RootElement, "$");

        // Spot checks that would fail even if the containment helper were too lenient.
        var root = roundTripped.RootElement;
        root.GetProperty("context_management").GetProperty("edits")[0].GetProperty("keep").GetString().ShouldBe("all");
        root.GetProperty("output_config").GetProperty("format_hint").GetString().ShouldBe("future");
        var unknown = root.GetProperty("messages")[3].GetProperty("content")[4];
        unknown.GetProperty("type").GetString().ShouldBe("server_tool_use_future");
        unknown.GetProperty("payload").GetRawText().ShouldBe("""{"nested":[1,2,{"x":null}]}""");
        root.GetProperty("system")[2].GetProperty("cache_control").GetProperty("ttl").GetString().ShouldBe("1h");
    }

    [Fact]
    public void Round_trip_is_stable_after_the_first_pass()
    {
        string once = Serialize(Parse(ClaudeCodeRequest));
        string twice = Serialize(Parse(once));

        twice.ShouldBe(once);
    }

    [Fact]
    public void Fields_the_request_did_not_have_are_not_written_as_null()
    {
        string json = Serialize(Parse("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""));

        json.ShouldBe("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""");
    }

    [Fact]
    public void Tool_input_schema_is_kept_byte_for_byte_in_the_model()
    {
        using var original = JsonDocument.Parse(ClaudeCodeRequest);
        string schema = original.RootElement.GetProperty("tools")[0].GetProperty("input_schema").GetRawText();

        Parse(ClaudeCodeRequest).Tools![0].InputSchema.GetRawText().ShouldBe(schema);
    }

    [Fact]
    public void Content_blocks_carry_the_type_member_exactly_once_and_first()
    {
        string json = Serialize(Parse(ClaudeCodeRequest));

        using var document = JsonDocument.Parse(json);
        foreach (var message in document.RootElement.GetProperty("messages").EnumerateArray())
        {
            foreach (var block in message.GetProperty("content").EnumerateArray())
            {
                var names = block.EnumerateObject().Select(p => p.Name).ToList();
                names[0].ShouldBe("type");
                names.Count(n => n.Equals("type", StringComparison.OrdinalIgnoreCase)).ShouldBe(1, block.GetRawText());
            }
        }
    }

    [Fact]
    public void System_and_content_as_plain_strings_become_one_text_block()
    {
        var request = Parse("""
            {"model":"m","system":"You are terse.","messages":[{"role":"user","content":"hello"}],"max_tokens":10}
            """);

        request.System!.ShouldHaveSingleItem().Text.ShouldBe("You are terse.");
        request.Messages.ShouldHaveSingleItem().Content.ShouldHaveSingleItem().ShouldBeOfType<TextBlock>().Text.ShouldBe("hello");

        using var json = JsonDocument.Parse(Serialize(request));
        json.RootElement.GetProperty("system")[0].GetProperty("text").GetString().ShouldBe("You are terse.");
        json.RootElement.GetProperty("messages")[0].GetProperty("content")[0].GetProperty("type").GetString().ShouldBe("text");
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"text":"no type"}]}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":7,"text":"numeric type"}]}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[42]}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[["text"]]}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":42}]}""", "content")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"ok"}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"text":"no type"}]}]}]}""", "content")]
    [InlineData("""{"model":"m","system":[42],"messages":[]}""", "system")]
    public void Malformed_content_block_fails_with_a_path_naming_the_field(string json, string field)
    {
        var exception = Should.Throw<JsonException>(() => Parse(json));

        exception.Path.ShouldNotBeNull();
        exception.Path.ShouldContain(field);
    }

    [Fact]
    public void Malformed_block_in_a_later_message_names_that_message()
    {
        var exception = Should.Throw<JsonException>(() => Parse("""
            {"model":"m","messages":[{"role":"user","content":"fine"},{"role":"assistant","content":[{"text":"no type"}]}]}
            """));

        exception.Path.ShouldNotBeNull();
        exception.Path.ShouldStartWith("$.messages[1].content");
    }
}
