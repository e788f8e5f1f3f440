using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.OpenAICompat.ToolCalls;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Responses;

/// <summary>Through the real proxy, a backend with <c>toolEmulation</c>: no tools upstream, the model's printed call comes back as tool_use, and the prompt is byte-stable across turns.</summary>
public sealed class ToolEmulationThroughProxyTests
{
    private static Task<ProxyHarness> StartAsync(ToolCallFormat format, bool supportsTools = false) => ProxyHarness.StartAsync(
        ServerFlavor.MlxLm,
        configureBackend: b => b with { SupportsTools = supportsTools, Responses = new ResponseSettings { ToolEmulation = format } });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_tools_go_upstream_and_the_printed_call_is_a_tool_use(bool supportsTools)
    {
        await using var proxy = await StartAsync(ToolCallFormat.Hermes, supportsTools);
        proxy.Fake.Enqueue(ScriptedResponse.Text("<tool_call>\n{\"name\": \"Write\", \"arguments\": {\"file_path\": \"/tmp/a.txt\", \"content\": \"hi\"}}\n</tool_call>"));

        using var response = await proxy.PostMessagesAsync(new ClaudeCodeConversation("write a.txt").Body(stream: false));

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        var message = JsonNode.Parse(body)!;
        message["stop_reason"]!.GetValue<string>().ShouldBe("tool_use");
        var call = message["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_use")!;
        call["name"]!.GetValue<string>().ShouldBe("Write");
        call["input"]!.ToJsonString().ShouldBe("""{"file_path":"/tmp/a.txt","content":"hi"}""");
        using var upstream = proxy.Fake.LastChatRequest.Json();
        upstream.RootElement.TryGetProperty("tools", out _).ShouldBeFalse();
        upstream.RootElement.TryGetProperty("tool_choice", out _).ShouldBeFalse();
        string system = upstream.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
        system.ShouldContain("<tools>\n{\"name\": \"Write\", \"description\": \"Write a file\", \"parameters\": ");
        system.ShouldContain("<tool_call>\n{\"name\": \"example_tool\"");
    }

    [Fact]
    public async Task The_next_turn_renders_the_tool_history_in_the_format_and_starts_with_the_bytes_of_the_last()
    {
        await using var proxy = await StartAsync(ToolCallFormat.Qwen3Coder);
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"), ScriptedResponse.Text("done"));
        var conversation = new ClaudeCodeConversation("write a.txt", midConversationSystem: false) { Thinking = false };
        var first = JsonNode.Parse(conversation.Body(stream: false))!;
        var second = first.DeepClone();
        var messages = second["messages"]!.AsArray();
        messages.Add(JsonNode.Parse("""{"role":"assistant","content":[{"type":"text","text":"Writing."},{"type":"tool_use","id":"toolu_1","name":"Write","input":{"file_path":"/tmp/a.txt","content":"line 1\nline <2>"}}]}"""));
        messages.Add(JsonNode.Parse("""{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"File created successfully"}]}"""));

        (await proxy.PostMessagesAsync(first.ToJsonString())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await proxy.PostMessagesAsync(second.ToJsonString())).StatusCode.ShouldBe(HttpStatusCode.OK);

        var upstreamMessages = proxy.Fake.ChatRequests.Select(r => JsonNode.Parse(r.BodyText)!["messages"]!.AsArray()).ToList();
        // The system prompt (tools included) and the first user turn are the same bytes in both requests.
        upstreamMessages[1][0]!.ToJsonString().ShouldBe(upstreamMessages[0][0]!.ToJsonString());
        upstreamMessages[1][1]!.ToJsonString().ShouldBe(upstreamMessages[0][1]!.ToJsonString());
        string assistant = upstreamMessages[1][2]!["content"]!.GetValue<string>();
        assistant.ShouldContain("<tool_call>\n<function=Write>\n<parameter=file_path>\n/tmp/a.txt\n</parameter>\n<parameter=content>\nline 1\nline <2>\n</parameter>\n</function>\n</tool_call>");
        string result = upstreamMessages[1][3]!.ToJsonString();
        result.ShouldContain("tool_response");
        result.ShouldContain("File created successfully");
        proxy.Fake.ChatRequests.ShouldAllBe(r => !r.BodyText.Contains("\"tools\"", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_emulation_format_is_one_configuration_line()
    {
        string directory = Directory.CreateTempSubdirectory("anyclaude-emulation-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "anyclaude.json"), """{ "backends": { "mlx-lm": { "toolEmulation": "auto" } } }""");
            var result = AnyClaude.Host.Configuration.ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), directory);

            result.Errors.ShouldHaveSingleItem().ShouldBe("backends.mlx-lm.toolEmulation: 'auto' is not a format tools can be emulated in (qwen3-coder, hermes, llama3, mistral, lmstudio, glm, deepseek, kimi)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
