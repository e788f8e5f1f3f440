using System.Net;
using System.Text;
using AnyClaude.Host.Tests.Docs;
using AnyClaude.Host.Tests.Plugins;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Responses;

/// <summary>The response step of the plugin walk-through (docs/writing-a-plugin.md), loaded from its plugin DLL, runs on the answers.</summary>
public sealed class PluginResponseStepTests(HelloPluginBuild plugin) : IClassFixture<HelloPluginBuild>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_walk_through_step_drops_chat_template_tokens_from_answers(bool stream)
    {
        await using var fake = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        fake.Enqueue(ScriptedResponse.Text("hello <|im_end|>from the plugin<|eot_id|>"));
        await using var proxy = await PluginProxy.StartAsync(plugin.Manager, "hello", fake.BaseUrl);

        using var response = await proxy.Http.PostAsync("/v1/messages", new StringContent(new ClaudeCodeConversation("hi").Body(stream: stream), Encoding.UTF8, "application/json"));

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldNotContain("<|im_end|>");
        body.ShouldNotContain("<|eot_id|>");
        string text = stream ? string.Concat(SseText(body)) : body;
        text.ShouldContain("hello from the plugin");
    }

    /// <summary>The text deltas of an SSE answer, in order.</summary>
    private static IEnumerable<string> SseText(string body) =>
        body.Split('\n')
            .Where(line => line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"text_delta\"", StringComparison.Ordinal))
            .Select(line => System.Text.Json.JsonDocument.Parse(line[6..]).RootElement.GetProperty("delta").GetProperty("text").GetString()!);
}
