using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.OpenAICompat.Tests.Rendering;

public sealed class ChatRequestRendererTests
{
    private const string WriteSchema =
        """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"file_path":{"type":"string","description":"Absolute path"},"content":{"type":"string"}},"required":["file_path","content"],"additionalProperties":false}""";

    private static readonly ChatRenderOptions DefaultOptions = new() { Model = "local-model", MaxOutputTokens = 8192 };

    private static MessagesRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.MessagesRequest)!;

    private static JsonDocument Render(string requestJson, ChatRenderOptions? options = null, List<string>? warnings = null) =>
        JsonDocument.Parse(ChatRequestRenderer.Render(Parse(requestJson), options ?? DefaultOptions, warnings ?? []));

    private static JsonElement[] Messages(JsonDocument body) => [.. body.RootElement.GetProperty("messages").EnumerateArray()];

    private static string Role(JsonElement message) => message.GetProperty("role").GetString()!;

    private static string Content(JsonElement message) => message.GetProperty("content").GetString()!;

    [Fact]
    public void System_string_becomes_one_leading_system_message()
    {
        using var body = Render("""{"model":"m","system":"Be brief.","messages":[{"role":"user","content":"hi"}]}""");

        var messages = Messages(body);
        messages.Length.ShouldBe(2);
        Role(messages[0]).ShouldBe("system");
        Content(messages[0]).ShouldBe("Be brief.");
        Role(messages[1]).ShouldBe("user");
        Content(messages[1]).ShouldBe("hi");
        body.RootElement.GetProperty("model").GetString().ShouldBe("local-model");
    }

    [Fact]
    public void System_blocks_are_joined_into_one_leading_system_message()
    {
        using var body = Render("""
            {"model":"m","system":[
              {"type":"text","text":"Identity."},
              {"type":"text","text":"Main prompt.","cache_control":{"type":"ephemeral"}},
              {"type":"text","text":"Tail."}
            ],"messages":[{"role":"user","content":"hi"}]}
            """);

        var messages = Messages(body);
        messages.Count(m => Role(m) == "system").ShouldBe(1);
        Role(messages[0]).ShouldBe("system");
        Content(messages[0]).ShouldBe("Identity.\n\nMain prompt.\n\nTail.");
    }

    [Fact]
    public void System_blocks_written_in_segments_are_byte_identical_to_the_joined_string()
    {
        // Quotes, backslashes, control characters, non-ASCII, HTML-sensitive characters, U+2028 and an emoji at
        // each block's edges: the segmented writer must escape exactly as writing the joined string would.
        string[] texts =
        [
            "😀 starts \"quoted\" \\ back\tslash <b>&amp;</b> é 日本 \u2028 ends 😀",
            "\u0001\u001f control \r\n lines\n\n" + new string('x', 5000) + " 😀",
            "😀",
        ];
        var request = new MessagesRequest
        {
            Model = "m",
            System = [.. texts.Select(t => new TextBlock { Text = t })],
            Messages = [new Message { Role = MessageRoles.User, Content = [new TextBlock { Text = "hi" }] }],
        };

        byte[] rendered = ChatRequestRenderer.Render(request, DefaultOptions, []);

        var joined = new MessagesRequest
        {
            Model = "m",
            System = [new TextBlock { Text = string.Join("\n\n", texts) }],
            Messages = request.Messages,
        };
        Encoding.UTF8.GetString(rendered).ShouldBe(Encoding.UTF8.GetString(ChatRequestRenderer.Render(joined, DefaultOptions, [])));
        using var body = JsonDocument.Parse(rendered);
        Content(Messages(body)[0]).ShouldBe(string.Join("\n\n", texts));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void System_text_no_transform_changed_is_passed_on_as_the_client_escaped_it(int blocks)
    {
        // Escapes a client may choose (\u00e9 for é, \/ for /) survive only if the tokens are copied; escaping the
        // decoded text again would write é and / as they are.
        string[] tokens = ["caf\\u00e9 \\/ \\\"q\\\" \\n \\ud83d\\ude00 \\u2028", "second\\tblock", "third \\u003cb\\u003e"];
        string system = string.Join(",", tokens.Take(blocks).Select(t => $$$"""{"type":"text","text":"{{{t}}}","cache_control":{"type":"ephemeral"}}"""));
        var request = Parse($$"""{"model":"m","system":[{{system}}],"messages":[{"role":"user","content":"hi"}]}""");

        string rendered = Encoding.UTF8.GetString(ChatRequestRenderer.Render(request, DefaultOptions, []));

        rendered.ShouldContain("\"content\":\"" + string.Join("\\n\\n", tokens.Take(blocks)) + "\"");
        using var body = JsonDocument.Parse(rendered);
        string[] decoded = ["café / \"q\" \n 😀 \u2028", "second\tblock", "third <b>"];
        Content(Messages(body)[0]).ShouldBe(string.Join("\n\n", decoded.Take(blocks)));
        request.System![0].Text.ShouldBe(decoded[0]);
    }

    [Fact]
    public void System_text_a_transform_replaced_is_escaped_afresh()
    {
        var request = Parse("""{"model":"m","system":[{"type":"text","text":"caf\u00e9"},{"type":"text","text":"kept \u00e9"}],"messages":[{"role":"user","content":"hi"}]}""");
        request.System![0].Text = request.System[0].Text + "!";

        string rendered = Encoding.UTF8.GetString(ChatRequestRenderer.Render(request, DefaultOptions, []));

        rendered.ShouldContain("\"content\":\"café!\\n\\nkept é\"");
    }

    [Fact]
    public void User_text_and_tool_results_no_transform_changed_are_passed_on_as_the_client_escaped_them()
    {
        var request = Parse("""
            {"model":"m","messages":[
              {"role":"user","content":[{"type":"text","text":"caf\u00e9"},{"type":"text","text":"two \/"}]},
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Read","input":{}},{"type":"tool_use","id":"t2","name":"Read","input":{}},{"type":"tool_use","id":"t3","name":"Read","input":{}}]},
              {"role":"user","content":[
                {"type":"tool_result","tool_use_id":"t1","content":"line\u000aone"},
                {"type":"tool_result","tool_use_id":"t2","content":[{"type":"text","text":"a\u00e9"},{"type":"text","text":"b"}]},
                {"type":"tool_result","tool_use_id":"t3","is_error":true,"content":"caf\u00e9 failed"}]},
              {"role":"user","content":"plain \u00e9"}]}
            """);

        string rendered = Encoding.UTF8.GetString(ChatRequestRenderer.Render(request, DefaultOptions, []));

        rendered.ShouldContain("""{"role":"user","content":"caf\u00e9\n\ntwo \/"}""");
        rendered.ShouldContain("""{"role":"tool","tool_call_id":"t1","content":"line\u000aone"}""");
        rendered.ShouldContain("""{"role":"tool","tool_call_id":"t2","content":"a\u00e9\n\nb"}""");
        // An error result gets a prefix, so its text is written afresh.
        rendered.ShouldContain("""{"role":"tool","tool_call_id":"t3","content":"Error: café failed"}""");
        rendered.ShouldContain("""{"role":"user","content":"plain \u00e9"}""");
        using var body = JsonDocument.Parse(rendered);
        Content(Messages(body)[0]).ShouldBe("café\n\ntwo /");
        Content(Messages(body)[2]).ShouldBe("line\none");
    }

    [Fact]
    public void Rendering_into_a_pooled_buffer_gives_the_same_bytes_as_Render()
    {
        var request = new MessagesRequest
        {
            Model = "m",
            System = [new TextBlock { Text = new string('s', 70_000) }, new TextBlock { Text = "tail" }],
            Messages = [new Message { Role = MessageRoles.User, Content = [new TextBlock { Text = new string('u', 50_000) }] }],
        };
        byte[] expected = ChatRequestRenderer.Render(request, DefaultOptions, []);

        using var pooled = new PooledBufferWriter(256); // starts small: the growth path is exercised
        ChatRequestRenderer.RenderTo(pooled, request, DefaultOptions, []);

        pooled.WrittenCount.ShouldBe(expected.Length);
        pooled.WrittenMemory.ToArray().ShouldBe(expected);
    }

    [Fact]
    public void A_disposed_pooled_buffer_refuses_further_writes()
    {
        var pooled = new PooledBufferWriter(16);
        pooled.GetSpan(4)[0] = 1;
        pooled.Advance(1);
        pooled.Dispose();

        Should.Throw<ObjectDisposedException>(() => pooled.GetSpan(1));
        Should.Throw<InvalidOperationException>(() => pooled.Advance(1));
    }

    [Fact]
    public void No_system_means_no_system_message()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

        Messages(body).ShouldHaveSingleItem().GetProperty("role").GetString().ShouldBe("user");
    }

    [Fact]
    public void Mid_conversation_system_message_becomes_a_user_system_reminder_in_place()
    {
        using var body = Render("""
            {"model":"m","system":"S","messages":[
              {"role":"user","content":"first"},
              {"role":"system","content":"Remember the rules."},
              {"role":"assistant","content":"ok"}
            ]}
            """);

        var messages = Messages(body);
        messages.Select(Role).ShouldBe(["system", "user", "user", "assistant"]);
        Content(messages[2]).ShouldBe("<system-reminder>\nRemember the rules.\n</system-reminder>");
    }

    [Fact]
    public void Text_blocks_of_a_user_message_are_joined()
    {
        using var body = Render("""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>ctx</system-reminder>"},{"type":"text","text":"do it"}]}]}
            """);

        Content(Messages(body).ShouldHaveSingleItem()).ShouldBe("<system-reminder>ctx</system-reminder>\n\ndo it");
    }

    [Fact]
    public void Image_becomes_a_data_uri_part_when_the_backend_supports_images()
    {
        var warnings = new List<string>();
        using var body = Render("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"text","text":"What is this?"},
              {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}
            ]}]}
            """, DefaultOptions with { SupportsImages = true }, warnings);

        var parts = Messages(body).ShouldHaveSingleItem().GetProperty("content").EnumerateArray().ToArray();
        parts.Length.ShouldBe(2);
        parts[0].GetProperty("type").GetString().ShouldBe("text");
        parts[0].GetProperty("text").GetString().ShouldBe("What is this?");
        parts[1].GetProperty("type").GetString().ShouldBe("image_url");
        parts[1].GetProperty("image_url").GetProperty("url").GetString().ShouldBe("data:image/jpeg;base64,/9j/4AAQ");
        warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Image_becomes_a_text_placeholder_and_a_warning_without_image_support()
    {
        var warnings = new List<string>();
        using var body = Render("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"text","text":"What is this?"},
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}
            ]}]}
            """, DefaultOptions with { SupportsImages = false }, warnings);

        var message = Messages(body).ShouldHaveSingleItem();
        message.GetProperty("content").ValueKind.ShouldBe(JsonValueKind.String);
        string content = Content(message);
        content.ShouldStartWith("What is this?\n\n[image omitted");
        content.ShouldNotContain("iVBORw0KGgo=");
        warnings.ShouldHaveSingleItem().ShouldContain("image");
    }

    [Fact]
    public void Tool_use_becomes_assistant_tool_calls_with_the_input_as_arguments()
    {
        using var body = Render("""
            {"model":"m","messages":[
              {"role":"user","content":"write it"},
              {"role":"assistant","content":[
                {"type":"text","text":"Writing."},
                {"type":"tool_use","id":"toolu_01","name":"Write","input":{"file_path":"/tmp/a.txt","content":"line1\nline2 \"q\""}},
                {"type":"tool_use","id":"toolu_02","name":"Read","input":{}}
              ]}
            ]}
            """);

        var assistant = Messages(body)[1];
        Role(assistant).ShouldBe("assistant");
        Content(assistant).ShouldBe("Writing.");
        var calls = assistant.GetProperty("tool_calls").EnumerateArray().ToArray();
        calls.Length.ShouldBe(2);
        calls[0].GetProperty("id").GetString().ShouldBe("toolu_01");
        calls[0].GetProperty("type").GetString().ShouldBe("function");
        calls[0].GetProperty("function").GetProperty("name").GetString().ShouldBe("Write");
        string arguments = calls[0].GetProperty("function").GetProperty("arguments").GetString()!;
        arguments.ShouldBe("""{"file_path":"/tmp/a.txt","content":"line1\nline2 \"q\""}""");
        using var parsed = JsonDocument.Parse(arguments);
        parsed.RootElement.GetProperty("content").GetString().ShouldBe("line1\nline2 \"q\"");
        calls[1].GetProperty("function").GetProperty("arguments").GetString().ShouldBe("{}");
    }

    [Fact]
    public void Tool_results_become_tool_messages_before_the_user_text_of_the_same_turn()
    {
        using var body = Render("""
            {"model":"m","messages":[
              {"role":"user","content":"go"},
              {"role":"assistant","content":[
                {"type":"tool_use","id":"call_a","name":"Read","input":{"file_path":"/a"}},
                {"type":"tool_use","id":"call_b","name":"Read","input":{"file_path":"/b"}}
              ]},
              {"role":"user","content":[
                {"type":"text","text":"Also check c."},
                {"type":"tool_result","tool_use_id":"call_a","content":"contents of a"},
                {"type":"tool_result","tool_use_id":"call_b","content":[{"type":"text","text":"b line 1"},{"type":"text","text":"b line 2"}]}
              ]}
            ]}
            """);

        var messages = Messages(body);
        messages.Select(Role).ShouldBe(["user", "assistant", "tool", "tool", "user"]);
        messages[2].GetProperty("tool_call_id").GetString().ShouldBe("call_a");
        Content(messages[2]).ShouldBe("contents of a");
        messages[3].GetProperty("tool_call_id").GetString().ShouldBe("call_b");
        Content(messages[3]).ShouldBe("b line 1\n\nb line 2");
        Content(messages[4]).ShouldBe("Also check c.");
    }

    [Fact]
    public void Tool_result_with_is_error_starts_with_error()
    {
        using var body = Render("""
            {"model":"m","messages":[
              {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Write","input":{}}]},
              {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"Permission denied","is_error":true}]}
            ]}
            """);

        var tool = Messages(body)[1];
        Role(tool).ShouldBe("tool");
        Content(tool).ShouldBe("Error: Permission denied");
    }

    [Fact]
    public void Thinking_in_history_becomes_reasoning_content()
    {
        const string request = """
            {"model":"m","messages":[
              {"role":"user","content":"q"},
              {"role":"assistant","content":[
                {"type":"thinking","thinking":"step one","signature":"s"},
                {"type":"redacted_thinking","data":"opaque-redacted"},
                {"type":"text","text":"answer"}
              ]},
              {"role":"user","content":"next"}
            ]}
            """;

        using var with = Render(request);
        var assistant = Messages(with)[1];
        assistant.GetProperty("reasoning_content").GetString().ShouldBe("step one");
        Content(assistant).ShouldBe("answer");
        assistant.GetRawText().ShouldNotContain("opaque-redacted");

        using var without = Render(request, DefaultOptions with { ReasoningInHistory = false });
        var plain = Messages(without)[1];
        plain.TryGetProperty("reasoning_content", out _).ShouldBeFalse();
        Content(plain).ShouldBe("answer");
        plain.GetRawText().ShouldNotContain("step one");
    }

    [Fact]
    public void Redacted_thinking_is_dropped_everywhere()
    {
        using var body = Render("""
            {"model":"m","messages":[{"role":"assistant","content":[{"type":"redacted_thinking","data":"opaque-redacted"},{"type":"text","text":"a"}]}]}
            """);

        body.RootElement.GetRawText().ShouldNotContain("opaque-redacted");
        Messages(body).ShouldHaveSingleItem().TryGetProperty("reasoning_content", out _).ShouldBeFalse();
    }

    [Fact]
    public void Text_document_becomes_text_and_other_documents_a_placeholder()
    {
        var warnings = new List<string>();
        using var body = Render("""
            {"model":"m","messages":[{"role":"user","content":[
              {"type":"document","source":{"type":"text","media_type":"text/plain","data":"The plain document body."},"title":"notes"},
              {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjQ="}}
            ]}]}
            """, warnings: warnings);

        string content = Content(Messages(body).ShouldHaveSingleItem());
        content.ShouldContain("The plain document body.");
        content.ShouldContain("notes");
        content.ShouldNotContain("JVBERi0xLjQ=");
        content.ShouldContain("application/pdf");
        warnings.ShouldHaveSingleItem().ShouldContain("document");
    }

    [Fact]
    public void Tools_become_functions_with_the_input_schema_byte_for_byte()
    {
        string request = $$$"""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[
              {"name":"Write","description":"Writes a file","input_schema":{{{WriteSchema}}},"cache_control":{"type":"ephemeral"}},
              {"name":"WebFetch","description":"Fetch","input_schema": { "type" : "object", "properties" : { "url" : { "type" : "string", "format" : "uri" } } }}
            ]}
            """;
        byte[] bytes = ChatRequestRenderer.Render(Parse(request), DefaultOptions, new List<string>());
        string rendered = Encoding.UTF8.GetString(bytes);

        rendered.ShouldContain("\"parameters\":" + WriteSchema);
        rendered.ShouldContain("""{ "type" : "object", "properties" : { "url" : { "type" : "string", "format" : "uri" } } }""");

        using var body = JsonDocument.Parse(bytes);
        var tools = body.RootElement.GetProperty("tools").EnumerateArray().ToArray();
        tools.Length.ShouldBe(2);
        tools[0].GetProperty("type").GetString().ShouldBe("function");
        var function = tools[0].GetProperty("function");
        function.GetProperty("name").GetString().ShouldBe("Write");
        function.GetProperty("description").GetString().ShouldBe("Writes a file");
        function.GetProperty("parameters").GetRawText().ShouldBe(WriteSchema);
    }

    [Fact]
    public void Server_tools_without_input_schema_are_dropped_with_a_warning()
    {
        var warnings = new List<string>();
        using var body = Render($$$"""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[
              {"type":"web_search_20250305","name":"web_search","max_uses":5},
              {"name":"Write","input_schema":{{{WriteSchema}}}}
            ]}
            """, warnings: warnings);

        var tool = body.RootElement.GetProperty("tools").EnumerateArray().ShouldHaveSingleItem();
        tool.GetProperty("function").GetProperty("name").GetString().ShouldBe("Write");
        warnings.ShouldHaveSingleItem().ShouldContain("web_search");
    }

    [Fact]
    public void Only_server_tools_means_no_tools_and_no_tool_choice()
    {
        using var body = Render("""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search"}],"tool_choice":{"type":"any"}}
            """);

        body.RootElement.TryGetProperty("tools", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("tool_choice", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "\"auto\"")]
    [InlineData("""{"type":"any"}""", "\"required\"")]
    [InlineData("""{"type":"none"}""", "\"none\"")]
    [InlineData("""{"type":"tool","name":"Write"}""", """{"type":"function","function":{"name":"Write"}}""")]
    public void Tool_choice_forms_map_to_chat_completions(string toolChoice, string expected)
    {
        using var body = Render($$$"""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Write","input_schema":{{{WriteSchema}}}}],"tool_choice":{{{toolChoice}}}}
            """);

        body.RootElement.GetProperty("tool_choice").GetRawText().ShouldBe(expected);
        body.RootElement.TryGetProperty("parallel_tool_calls", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("any")]
    [InlineData("none")]
    [InlineData("tool")]
    public void Disable_parallel_tool_use_sets_parallel_tool_calls_false(string type)
    {
        string name = type == "tool" ? ",\"name\":\"Write\"" : "";
        using var body = Render($$$"""
            {"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"name":"Write","input_schema":{{{WriteSchema}}}}],"tool_choice":{"type":"{{{type}}}"{{{name}}},"disable_parallel_tool_use":true}}
            """);

        body.RootElement.GetProperty("parallel_tool_calls").ValueKind.ShouldBe(JsonValueKind.False);
    }

    [Fact]
    public void Tool_choice_is_omitted_when_there_are_no_tools()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"auto","disable_parallel_tool_use":true}}""");

        body.RootElement.TryGetProperty("tool_choice", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("parallel_tool_calls", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("tools", out _).ShouldBeFalse();
    }

    [Fact]
    public void Sampling_parameters_are_passed_through()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0.25,"top_p":0.9,"top_k":40}""");

        body.RootElement.GetProperty("temperature").GetDouble().ShouldBe(0.25);
        body.RootElement.GetProperty("top_p").GetDouble().ShouldBe(0.9);
        body.RootElement.GetProperty("top_k").GetInt32().ShouldBe(40);
    }

    [Fact]
    public void Sampling_parameters_are_absent_when_not_requested()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""");

        body.RootElement.TryGetProperty("temperature", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("top_p", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("top_k", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData(64000, 8192)]
    [InlineData(1000, 1000)]
    [InlineData(null, 8192)]
    public void Max_tokens_is_clamped_to_the_backend_limit(int? requested, int expected)
    {
        string maxTokens = requested is { } value ? $",\"max_tokens\":{value}" : "";
        using var body = Render($$$"""{"model":"m","messages":[{"role":"user","content":"hi"}]{{{maxTokens}}}}""");

        body.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(expected);
    }

    [Fact]
    public void Max_tokens_goes_under_the_configured_field_for_mlx_lm()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":64000}""",
            DefaultOptions with { MaxOutputTokens = 16384, MaxTokensField = "max_completion_tokens" });

        body.RootElement.GetProperty("max_completion_tokens").GetInt32().ShouldBe(16384);
        body.RootElement.TryGetProperty("max_tokens", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"type":"adaptive"}""", true)]
    [InlineData("""{"type":"enabled","budget_tokens":31999}""", true)]
    [InlineData("""{"type":"disabled"}""", false)]
    public void Thinking_becomes_chat_template_kwargs(string thinking, bool enabled)
    {
        using var body = Render($$$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"thinking":{{{thinking}}}}""",
            DefaultOptions with { ThinkingStyle = ThinkingStyle.ChatTemplateKwargs });

        body.RootElement.GetProperty("chat_template_kwargs").GetProperty("enable_thinking").GetBoolean().ShouldBe(enabled);
        body.RootElement.TryGetProperty("reasoning_effort", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"type":"adaptive"},"output_config":{"effort":"high"}""", "high")]
    [InlineData("""{"type":"adaptive"},"output_config":{"effort":"low"}""", "low")]
    [InlineData("""{"type":"adaptive"},"output_config":{"effort":"max"}""", "high")]
    [InlineData("""{"type":"enabled","budget_tokens":31999}""", "high")]
    [InlineData("""{"type":"enabled","budget_tokens":8000}""", "medium")]
    [InlineData("""{"type":"enabled","budget_tokens":1024}""", "low")]
    [InlineData("""{"type":"adaptive"}""", "medium")]
    public void Thinking_becomes_reasoning_effort(string thinkingAndOutput, string effort)
    {
        using var body = Render($$$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"thinking":{{{thinkingAndOutput}}}}""",
            DefaultOptions with { ThinkingStyle = ThinkingStyle.ReasoningEffort });

        body.RootElement.GetProperty("reasoning_effort").GetString().ShouldBe(effort);
        body.RootElement.TryGetProperty("chat_template_kwargs", out _).ShouldBeFalse();
    }

    [Fact]
    public void Disabled_thinking_sends_no_reasoning_effort()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"thinking":{"type":"disabled"}}""",
            DefaultOptions with { ThinkingStyle = ThinkingStyle.ReasoningEffort });

        body.RootElement.TryGetProperty("reasoning_effort", out _).ShouldBeFalse();
    }

    [Fact]
    public void Thinking_style_none_sends_nothing_about_thinking()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"thinking":{"type":"enabled","budget_tokens":31999},"output_config":{"effort":"high"}}""",
            DefaultOptions with { ThinkingStyle = ThinkingStyle.None });

        body.RootElement.TryGetProperty("reasoning_effort", out _).ShouldBeFalse();
        body.RootElement.TryGetProperty("chat_template_kwargs", out _).ShouldBeFalse();
    }

    [Fact]
    public void Streaming_asks_for_usage()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true}""");

        body.RootElement.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public void Non_streaming_sends_stream_false_without_stream_options()
    {
        using var body = Render("""{"model":"m","messages":[{"role":"user","content":"hi"}]}""", DefaultOptions with { Stream = false });

        body.RootElement.GetProperty("stream").GetBoolean().ShouldBeFalse();
        body.RootElement.TryGetProperty("stream_options", out _).ShouldBeFalse();
    }

    [Fact]
    public void Cache_control_never_appears_in_the_output()
    {
        string request = $$$"""
            {"model":"m",
             "system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],
             "tools":[{"name":"Write","input_schema":{{{WriteSchema}}},"cache_control":{"type":"ephemeral"}}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"q","cache_control":{"type":"ephemeral"}}]},
               {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"Write","input":{"file_path":"a","content":"b"},"cache_control":{"type":"ephemeral"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"ok","cache_control":{"type":"ephemeral"}}],"cache_control":{"type":"ephemeral","ttl":"1h"}}]}
             ]}
            """;

        string rendered = Encoding.UTF8.GetString(ChatRequestRenderer.Render(Parse(request), DefaultOptions, new List<string>()));

        rendered.ShouldNotContain("cache_control");
        rendered.ShouldNotContain("ephemeral");
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        string request = ConversationRequest(ClaudeCodeTurns(3));

        byte[] first = ChatRequestRenderer.Render(Parse(request), DefaultOptions, new List<string>());
        byte[] second = ChatRequestRenderer.Render(Parse(request), DefaultOptions, new List<string>());

        second.ShouldBe(first);
    }

    [Fact]
    public void Each_turn_renders_as_a_byte_prefix_extension_of_the_previous_turn()
    {
        var options = DefaultOptions with { ThinkingStyle = ThinkingStyle.ChatTemplateKwargs, MaxTokensField = "max_completion_tokens" };
        const int turns = 6;
        byte[]? previous = null;
        for (int turn = 1; turn <= turns; turn++)
        {
            byte[] current = ChatRequestRenderer.Render(Parse(ConversationRequest(ClaudeCodeTurns(turn))), options, new List<string>());
            if (previous is not null)
            {
                int end = EndOfLastMessage(previous);
                current.Length.ShouldBeGreaterThan(end);
                for (int i = 0; i < end; i++)
                {
                    if (current[i] != previous[i])
                    {
                        throw new ShouldAssertException(
                            $"turn {turn} differs from turn {turn - 1} at byte {i}: ...{Encoding.UTF8.GetString(previous, Math.Max(0, i - 40), Math.Min(80, previous.Length - Math.Max(0, i - 40)))}...");
                    }
                }
            }

            previous = current;
        }

        using var last = JsonDocument.Parse(previous!);
        Messages(last).Length.ShouldBeGreaterThan(2 * turns);
    }

    [Fact]
    public void A_2_1_332_session_renders_each_turn_as_a_byte_prefix_extension_of_the_previous_turn()
    {
        var session = new ClaudeCode2_1_332Session("Fetch the docs and summarise them.");
        var turns = new List<(string Request, byte[] Body, List<string> Warnings)>();
        void Render()
        {
            string request = session.Body();
            var warnings = new List<string>();
            turns.Add((request, ChatRequestRenderer.Render(Parse(request), DefaultOptions, warnings), warnings));
        }

        Render();                                                       // 1: cache_control on the role: system message
        session.LoadWebFetch("toolu_search");
        Render();                                                       // 2: tool_reference result, WebFetch inserted into tools
        session.ToolCall("toolu_fetch", "WebFetch", """{"url":"https://example.com/docs"}""", "The docs say: use the cache.");
        Render();                                                       // 3
        session.Answer("The docs say to use the cache.", "Now write it to notes.md.");
        Render();                                                       // 4: the user's prompt is a one-block array
        session.Answer("Done.", "Thanks.");
        Render();                                                       // 5: ... and a string now

        turns[3].Request.ShouldContain("""{"role":"user","content":[{"type":"text","text":"Now write it to notes.md.","cache_control":""");
        turns[4].Request.ShouldContain("""{"role":"user","content":"Now write it to notes.md."}""");
        for (int i = 0; i + 1 < turns.Count; i++)
        {
            byte[] previous = turns[i].Body;
            byte[] current = turns[i + 1].Body;
            int end = EndOfLastMessage(previous);
            int common = previous.AsSpan().CommonPrefixLength(current);
            common.ShouldBeGreaterThanOrEqualTo(end,
                $"turn {i + 2} differs from turn {i + 1} at byte {common}: ...{Encoding.UTF8.GetString(previous, Math.Max(0, common - 40), Math.Min(80, previous.Length - Math.Max(0, common - 40)))}...");
        }

        foreach (var (request, body, warnings) in turns)
        {
            warnings.ShouldBeEmpty();
            string text = Encoding.UTF8.GetString(body);
            text.ShouldNotContain("classifier-context");                    // safeguards is never rendered
            text.ShouldNotContain("safeguards");
            text.ShouldNotContain("defer_loading");
            request.ShouldContain("classifier-context");
        }

        // The tools stay byte-identical until ToolSearch loads WebFetch, then again from that turn on.
        ToolsJson(turns[1].Body).ShouldNotBe(ToolsJson(turns[0].Body));
        ToolsJson(turns[1].Body).ShouldContain("\"name\":\"WebFetch\"");
        for (int i = 2; i < turns.Count; i++)
        {
            ToolsJson(turns[i].Body).ShouldBe(ToolsJson(turns[1].Body));
        }

        using var last = JsonDocument.Parse(turns[^1].Body);
        var messages = Messages(last);
        Role(messages[2]).ShouldBe("user");
        Content(messages[2]).ShouldBe($"<system-reminder>\n{ClaudeCode2_1_332Session.SystemMessageText}\n</system-reminder>");
        var toolReference = messages.Single(m => Role(m) == "tool" && m.GetProperty("tool_call_id").GetString() == "toolu_search");
        Content(toolReference).ShouldBe("Tool loaded: WebFetch\n\nTool loaded.");
    }

    private static string ToolsJson(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("tools").GetRawText();
    }

    /// <summary>The offset just past the last message object, i.e. the position of the closing ']' of "messages".</summary>
    private static int EndOfLastMessage(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                reader.TokenType.ShouldBe(JsonTokenType.StartArray);
                reader.Skip();
                return (int)reader.TokenStartIndex;
            }
        }

        throw new ShouldAssertException("no messages array in the rendered body");
    }

    /// <summary>
    /// Messages of a Claude Code session after <paramref name="turns"/> turns: each turn appends an assistant
    /// answer (thinking, text, tool call) and a user message (tool result + text); cache_control sits on the
    /// last block only, as Claude Code moves it.
    /// </summary>
    private static List<string> ClaudeCodeTurns(int turns)
    {
        var messages = new List<string>
        {
            """{"role":"user","content":[{"type":"text","text":"<system-reminder>\nctx\n</system-reminder>"},{"type":"text","text":"Refactor the parser.@@CC@@"}]}""",
            """{"role":"system","content":"Mid-conversation reminder: be careful with ümlauts & <tags>."}""",
        };
        for (int turn = 1; turn < turns; turn++)
        {
            messages.Add($$$"""{"role":"assistant","content":[{"type":"thinking","thinking":"Turn {{{turn}}}: look at file {{{turn}}}.","signature":"sig{{{turn}}}"},{"type":"text","text":"Reading file {{{turn}}}."},{"type":"tool_use","id":"toolu_{{{turn}}}","name":"Read","input":{"file_path":"/src/f{{{turn}}}.cs","limit":{{{turn * 100}}}}}]}""");
            messages.Add($$$"""{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_{{{turn}}}","content":[{"type":"text","text":"line {{{turn}}}\n\tindented \"quoted\""}]},{"type":"text","text":"Continue with step {{{turn}}}.@@CC@@"}]}""");
        }

        // Only the very last block carries cache_control; earlier markers are removed.
        for (int i = 0; i < messages.Count; i++)
        {
            messages[i] = messages[i].Replace("@@CC@@\"}", i == messages.Count - 1 ? "\",\"cache_control\":{\"type\":\"ephemeral\"}}" : "\"}", StringComparison.Ordinal);
        }

        return messages;
    }

    private static string ConversationRequest(List<string> messages) => $$$"""
        {"model":"claude-sonnet-4-5","messages":[{{{string.Join(",", messages)}}}],
         "system":[{"type":"text","text":"You are Claude Code."},{"type":"text","text":"Main prompt.","cache_control":{"type":"ephemeral"}}],
         "tools":[{"name":"Read","description":"Reads a file","input_schema":{"type":"object","properties":{"file_path":{"type":"string"},"limit":{"type":"integer"}},"required":["file_path"]}},
                  {"name":"Write","description":"Writes a file","input_schema":{{{WriteSchema}}}}],
         "metadata":{"user_id":"u"},"max_tokens":64000,"thinking":{"type":"adaptive"},"output_config":{"effort":"high"},"stream":true}
        """;
}
