using System.Net;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Pipelines;
using AnyClaude.TestSupport;
using static AnyClaude.Host.Tests.Transforms.TransformTestKit;

namespace AnyClaude.Host.Tests.Transforms;

public sealed class BuiltInTransformTests
{
    private const string NestedSchema = """
        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
         "properties":{
           "url":{"type":"string","format":"uri"},
           "format":{"type":"string","enum":["$schema","format"]},
           "$schema":{"type":"string"},
           "items":{"type":"array","items":{"$schema":"x","type":"object","properties":{"when":{"type":"string","format":"date-time"}}}},
           "either":{"anyOf":[{"$schema":"y","type":"string","format":"email"},{"type":"null"}]}
         },
         "$defs":{"format":{"type":"string","format":"uuid"}},
         "required":["url","format"]}
        """;

    private static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static MessagesRequest WithTool(string schema) => new()
    {
        Model = "m",
        Messages = [new Message { Content = [new TextBlock("hi")] }],
        Tools = [new Tool { Name = "T", InputSchema = Schema(schema) }],
    };

    [Fact]
    public async Task Clean_schema_removes_the_schema_keyword_everywhere_but_keeps_properties_and_data_that_share_its_name()
    {
        var request = WithTool(NestedSchema);

        await new CleanSchemaTransform().ApplyAsync(Context(request), default);

        string cleaned = request.Tools![0].InputSchema.GetRawText();
        cleaned.ShouldBe("""{"type":"object","properties":{"url":{"type":"string","format":"uri"},"format":{"type":"string","enum":["$schema","format"]},"$schema":{"type":"string"},"items":{"type":"array","items":{"type":"object","properties":{"when":{"type":"string","format":"date-time"}}}},"either":{"anyOf":[{"type":"string","format":"email"},{"type":"null"}]}},"$defs":{"format":{"type":"string","format":"uuid"}},"required":["url","format"]}""");
    }

    [Fact]
    public async Task Clean_schema_removes_configured_keywords_such_as_format_but_not_a_property_called_format()
    {
        var request = WithTool(NestedSchema);

        await new CleanSchemaTransform(["format"]).ApplyAsync(Context(request), default);

        using var cleaned = JsonDocument.Parse(request.Tools![0].InputSchema.GetRawText());
        var root = cleaned.RootElement;
        string text = root.GetRawText();
        text.ShouldNotContain("\"format\":\"");
        text.ShouldNotContain("\"$schema\":\"");
        root.GetProperty("properties").TryGetProperty("format", out var formatProperty).ShouldBeTrue();
        formatProperty.GetProperty("enum").GetArrayLength().ShouldBe(2);
        root.GetProperty("$defs").TryGetProperty("format", out _).ShouldBeTrue();
        root.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["url", "format"]);
    }

    [Fact]
    public async Task Clean_schema_leaves_a_schema_without_those_keywords_byte_for_byte()
    {
        const string clean = """{ "type": "object", "properties": { "a": { "type": "string" } } }""";
        var request = WithTool(clean);

        await new CleanSchemaTransform(["format"]).ApplyAsync(Context(request), default);

        request.Tools![0].InputSchema.GetRawText().ShouldBe(clean);
    }

    [Fact]
    public async Task Clean_schema_remembers_each_schema_by_its_bytes_and_gives_the_same_result_every_turn()
    {
        var transform = new CleanSchemaTransform(["format"]);
        const string clean = """{"type":"object","properties":{"a":{"type":"string"}}}""";
        string[] expected = [];
        for (int turn = 0; turn < 3; turn++)
        {
            // A fresh parse every turn, as each request is: the cache must key on content, not on the instance.
            var request = WithTool(NestedSchema);
            request.Tools!.Add(WithTool(clean).Tools![0]);

            await transform.ApplyAsync(Context(request), default);

            string[] schemas = [.. request.Tools.Select(t => t.InputSchema.GetRawText())];
            schemas[0].ShouldNotContain("\"format\":\"");
            schemas[1].ShouldBe(clean);
            if (turn == 0)
            {
                expected = schemas;
                schemas[0].ShouldBe(transform.Clean(WithTool(NestedSchema).Tools![0].InputSchema).GetRawText());
            }

            schemas.ShouldBe(expected);
        }

        transform.CachedSchemas.ShouldBe(2);
    }

    [Fact]
    public async Task Clamp_max_tokens_lowers_a_large_request_keeps_a_small_one_and_fills_in_a_missing_one()
    {
        var caps = new BackendCapabilities { MaxOutputTokens = 500 };
        var large = new MessagesRequest { MaxTokens = 64000 };
        var small = new MessagesRequest { MaxTokens = 100 };
        var missing = new MessagesRequest();

        foreach (var request in new[] { large, small, missing })
        {
            await new ClampMaxTokensTransform().ApplyAsync(Context(request, caps), default);
        }

        large.MaxTokens.ShouldBe(500);
        small.MaxTokens.ShouldBe(100);
        missing.MaxTokens.ShouldBe(500);
    }

    private const string ToolHistory = """
        {"model":"m","max_tokens":100,
         "tools":[{"name":"Read","input_schema":{"type":"object"}}],
         "tool_choice":{"type":"auto"},
         "messages":[
          {"role":"user","content":"read a.txt"},
          {"role":"assistant","content":[{"type":"text","text":"Reading."},{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"a.txt"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"hello from a"},{"type":"text","text":"and now?"}]},
          {"role":"assistant","content":[{"type":"tool_use","id":"toolu_2","name":"Read","input":{"file_path":"b.txt"}}]},
          {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","is_error":true,"content":[{"type":"text","text":"no such file"}]}]}
         ]}
        """;

    [Fact]
    public async Task Strip_tools_removes_tools_and_tool_choice_and_turns_tool_history_into_text()
    {
        var request = Parse(ToolHistory);

        await new StripToolsTransform().ApplyAsync(Context(request, new BackendCapabilities { Tools = false }), default);

        request.Tools.ShouldBeNull();
        request.ToolChoice.ShouldBeNull();
        request.Messages.SelectMany(m => m.Content).ShouldAllBe(b => b is TextBlock);
        ((TextBlock)request.Messages[1].Content[1]).Text.ShouldBe("""[tool call Read: {"file_path":"a.txt"}]""");
        ((TextBlock)request.Messages[2].Content[0]).Text.ShouldBe("[tool result Read: hello from a]");
        ((TextBlock)request.Messages[2].Content[1]).Text.ShouldBe("and now?");
        ((TextBlock)request.Messages[4].Content[0]).Text.ShouldBe("[tool result Read (error): no such file]");
    }

    [Fact]
    public async Task A_backend_without_tools_gets_no_tools_and_no_tool_messages_upstream()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configureBackend: b => b with { SupportsTools = false });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        using var response = await proxy.PostMessagesAsync(ToolHistory);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var upstream = proxy.Fake.LastChatRequest;
        using var json = upstream.Json();
        json.RootElement.TryGetProperty("tools", out _).ShouldBeFalse(upstream.BodyText);
        json.RootElement.TryGetProperty("tool_choice", out _).ShouldBeFalse(upstream.BodyText);
        var messages = json.RootElement.GetProperty("messages").EnumerateArray().ToList();
        messages.ShouldAllBe(m => m.GetProperty("role").GetString() != "tool");
        messages.Count(m => m.TryGetProperty("tool_calls", out var calls)).ShouldBe(0);
        upstream.BodyText.ShouldContain("[tool result Read: hello from a]");
    }

    [Fact]
    public async Task A_backend_with_tools_gets_its_tool_schemas_without_the_schema_keyword()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LmStudio, configureBackend: b => b with { CleanSchemaKeywords = ["format"] });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        using var response = await proxy.PostMessagesAsync(new ClaudeCodeConversation("hi").Body(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var upstream = proxy.Fake.LastChatRequest;
        upstream.BodyText.ShouldContain("\"file_path\"");
        upstream.BodyText.ShouldNotContain("$schema");
        upstream.BodyText.ShouldNotContain("\"format\"");
    }
}
