using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Host.Configuration;
using AnyClaude.OpenAICompat.ToolCalls;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Responses;

/// <summary>
/// Through the real proxy: a fake backend prints a tool call as plain text (streamed in ~3-character chunks) in each
/// model family's format, and Claude Code gets a <c>tool_use</c> block, streaming or not.
/// </summary>
public sealed class TextToolCallsThroughProxyTests
{
    private const string Input = """{"file_path":"/tmp/p/hello.html","content":"<b>hi</b>\n</p> there"}""";

    private const string QwenCoder = "I'll write it.\n<tool_call>\n<function=Write>\n<parameter=file_path>\n/tmp/p/hello.html\n</parameter>\n<parameter=content>\n<b>hi</b>\n</p> there\n</parameter>\n</function>\n</tool_call>";

    public static TheoryData<string, string, bool> Printed()
    {
        var answers = new Dictionary<string, string>
        {
            ["qwen3-coder"] = QwenCoder,
            ["hermes"] = "I'll write it.\n<tool_call>\n{\"name\": \"Write\", \"arguments\": {\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}}\n</tool_call>",
            ["llama3"] = "<|python_tag|>{\"name\": \"Write\", \"parameters\": {\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}}",
            ["llama3 bare"] = "{\"name\": \"Write\", \"parameters\": {\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}}",
            ["mistral"] = "I'll write it.\n[TOOL_CALLS][{\"name\": \"Write\", \"arguments\": {\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}}]",
            ["mistral args"] = "I'll write it.\n[TOOL_CALLS]Write[ARGS]{\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}",
            ["lmstudio"] = "I'll write it.\n[TOOL_REQUEST]{\"name\": \"Write\", \"arguments\": {\"file_path\": \"/tmp/p/hello.html\", \"content\": \"<b>hi</b>\\n</p> there\"}}[END_TOOL_REQUEST]",
            ["glm"] = "I'll write it.\n<tool_call>Write\n<arg_key>file_path</arg_key>\n<arg_value>/tmp/p/hello.html</arg_value>\n<arg_key>content</arg_key>\n<arg_value><b>hi</b>\n</p> there</arg_value>\n</tool_call>",
            ["hermes, broken JSON"] = "I'll write it.\n<tool_call>\n{'name': 'Write', 'arguments': {'file_path': '/tmp/p/hello.html', 'content': '<b>hi</b>\n</p> there',}}\n</tool_call>",
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var (format, answer) in answers)
        {
            data.Add(format, answer, false);
            data.Add(format, answer, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Printed))]
    public async Task A_call_printed_as_text_reaches_Claude_Code_as_tool_use(string format, string answer, bool stream)
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.LmStudio);
        proxy.Fake.Enqueue(ScriptedResponse.Text(answer));

        var (blocks, stopReason) = await AskAsync(proxy, stream);

        stopReason.ShouldBe("tool_use", format);
        var call = blocks.Where(b => b.Type == "tool_use").ShouldHaveSingleItem(format);
        call.Content.ShouldBe("Write " + JsonNode.Parse(Input)!.ToJsonString(), format);
        blocks.Where(b => b.Type == "text").Select(b => b.Content).ShouldAllBe(text => text == "I'll write it.\n");
        blocks.Select(b => b.Type).ShouldBe(answer.StartsWith("I'll", StringComparison.Ordinal) ? ["text", "tool_use"] : ["tool_use"]);
    }

    [Fact]
    public async Task With_toolCallFormat_none_a_printed_call_stays_text()
    {
        string answer = QwenCoder;
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            configureBackend: b => b with { Responses = new ResponseSettings { ToolCallFormat = ToolCallFormat.None } });
        proxy.Fake.Enqueue(ScriptedResponse.Text(answer));

        var (blocks, stopReason) = await AskAsync(proxy, stream: true);

        stopReason.ShouldBe("end_turn");
        blocks.ShouldBe([new PrintedBlock("text", answer)]);
    }

    [Fact]
    public async Task A_call_to_a_tool_that_was_not_offered_stays_text_and_the_request_succeeds()
    {
        string answer = "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"rm -rf /\"}}\n</tool_call>";
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.Enqueue(ScriptedResponse.Text(answer));

        var (blocks, stopReason) = await AskAsync(proxy, stream: false);

        stopReason.ShouldBe("end_turn");
        blocks.ShouldBe([new PrintedBlock("text", answer)]);
    }

    [Fact]
    public async Task Native_tool_call_arguments_that_are_slightly_broken_are_repaired()
    {
        await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm);
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("Write", "{'file_path': '/tmp/p/hello.html', 'content': '<b>hi</b>\n</p> there',")));

        var (blocks, stopReason) = await AskAsync(proxy, stream: true);

        stopReason.ShouldBe("tool_use");
        blocks.ShouldHaveSingleItem().ShouldBe(new PrintedBlock("tool_use", "Write " + JsonNode.Parse(Input)!.ToJsonString()));
    }

    private sealed record PrintedBlock(string Type, string Content);

    /// <summary>Asks with Claude Code's tools (Write, Read, WebFetch); returns the answer's blocks and stop_reason.</summary>
    private static async Task<(List<PrintedBlock> Blocks, string? StopReason)> AskAsync(ProxyHarness proxy, bool stream)
    {
        using var response = await proxy.PostMessagesAsync(new ClaudeCodeConversation("write hello.html").Body(stream));
        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return stream ? FromStream(body) : FromMessage(body);
    }

    private static (List<PrintedBlock>, string?) FromMessage(string body)
    {
        var message = JsonNode.Parse(body)!;
        var blocks = message["content"]!.AsArray().Select(b => b!["type"]!.GetValue<string>() switch
        {
            "tool_use" => new PrintedBlock("tool_use", b["name"]!.GetValue<string>() + " " + b["input"]!.ToJsonString()),
            var type => new PrintedBlock(type, b[type == "text" ? "text" : "thinking"]!.GetValue<string>()),
        }).ToList();
        return (blocks, message["stop_reason"]?.GetValue<string>());
    }

    private static (List<PrintedBlock>, string?) FromStream(string body)
    {
        var blocks = new List<PrintedBlock>();
        string? stopReason = null;
        string type = "";
        var content = new System.Text.StringBuilder();
        foreach (string line in body.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)))
        {
            var e = JsonNode.Parse(line[6..])!;
            switch (e["type"]!.GetValue<string>())
            {
                case "content_block_start":
                    e["index"]!.GetValue<int>().ShouldBe(blocks.Count);
                    type = e["content_block"]!["type"]!.GetValue<string>();
                    content.Clear();
                    if (type == "tool_use")
                    {
                        content.Append(e["content_block"]!["name"]!.GetValue<string>()).Append(' ');
                    }

                    break;
                case "content_block_delta":
                    var delta = e["delta"]!;
                    content.Append((delta["text"] ?? delta["thinking"] ?? delta["partial_json"])?.GetValue<string>());
                    break;
                case "content_block_stop":
                    string text = content.ToString();
                    if (type == "tool_use")
                    {
                        int space = text.IndexOf(' ');
                        text = text[..space] + " " + JsonNode.Parse(text[(space + 1)..])!.ToJsonString();
                    }

                    blocks.Add(new PrintedBlock(type, text));
                    break;
                case "message_delta":
                    stopReason = e["delta"]!["stop_reason"]?.GetValue<string>();
                    break;
            }
        }

        return (blocks, stopReason);
    }
}
