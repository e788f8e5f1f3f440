using System.Text.Json;
using Anthropic.Models.Messages;
using Anthropic;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Endpoints;

/// <summary>The proxy's answers read by the official Anthropic SDK, a real parser of the wire format.</summary>
public sealed class MessagesSdkTests
{
    public static TheoryData<ServerFlavor> Flavors => new() { ServerFlavor.MlxLm, ServerFlavor.LmStudio };

    private static MessageCreateParams Ask(string text = "Say hello.", List<string>? stop = null) => new()
    {
        Model = "claude-sonnet-4-5",
        MaxTokens = 1024,
        Messages = [new UserMessageParam(text)],
        StopSequences = stop,
    };

    /// <summary>The cached-token count the flavor puts in prompt_tokens_details (LM Studio sends none).</summary>
    private static int CachedReported(ServerFlavor flavor, int cached) => flavor == ServerFlavor.LmStudio ? 0 : cached;

    private static Tool WeatherTool() => new()
    {
        Name = "get_weather",
        Description = "Get the weather for a city",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement>
            {
                ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }),
                ["days"] = JsonSerializer.SerializeToElement(new { type = "integer" }),
            },
            Required = ["city"],
        },
    };

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Streaming_text_aggregates_with_end_turn_and_upstream_usage(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Hello there, this is the local model speaking.").WithUsage(promptTokens: 120, completionTokens: 11, cachedTokens: 40));
        using var client = proxy.CreateSdkClient();

        var aggregator = new Anthropic.Helpers.MessageContentAggregator();
        RawMessageDeltaEvent? delta = null;
        await foreach (var ev in client.Messages.CreateStreaming(Ask()).CollectAsync(aggregator))
        {
            if (ev.TryPickDelta(out var d))
            {
                delta = d;
            }
        }

        var message = aggregator.Message();
        message.Content.Count.ShouldBe(1);
        message.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("Hello there, this is the local model speaking.");
        message.StopReason!.Raw().ShouldBe("end_turn");
        message.Usage.OutputTokens.ShouldBe(11);

        // The upstream numbers are known only at the end of the stream: message_delta carries them (cumulative usage).
        delta.ShouldNotBeNull();
        // LM Studio reports no cached_tokens, mlx-lm does: input_tokens = prompt - cached, cache_read = cached.
        int cached = CachedReported(flavor, 40);
        delta.Usage.InputTokens.ShouldBe(120 - cached);
        delta.Usage.CacheReadInputTokens.ShouldBe(cached);
        delta.Usage.OutputTokens.ShouldBe(11);
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Non_streaming_create_gives_the_same_message(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Hello there, this is the local model speaking.").WithUsage(120, 11, 40));
        using var client = proxy.CreateSdkClient();

        var message = await client.Messages.Create(Ask());

        message.ID.ShouldStartWith("msg_");
        message.Content.Count.ShouldBe(1);
        message.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("Hello there, this is the local model speaking.");
        message.StopReason!.Raw().ShouldBe("end_turn");
        message.StopSequence.ShouldBeNull();
        int cached = CachedReported(flavor, 40);
        message.Usage.InputTokens.ShouldBe(120 - cached);
        message.Usage.CacheReadInputTokens.ShouldBe(cached);
        message.Usage.OutputTokens.ShouldBe(11);
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task A_tool_call_arrives_as_one_tool_use_block(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.ToolCalls(("get_weather", """{"city": "Paris", "days": 3}""")));
        proxy.Fake.Enqueue(ScriptedResponse.Text("It is sunny."));
        using var client = proxy.CreateSdkClient();
        var ask = Ask("Weather in Paris?") with { Tools = [WeatherTool()] };

        var message = await client.Messages.CreateStreaming(ask).Aggregate();

        message.StopReason!.Raw().ShouldBe("tool_use");
        var toolUses = message.Content.Select(b => b.TryPickToolUse(out var t) ? t : null).OfType<ToolUseBlock>().ToList();
        toolUses.Count.ShouldBe(1);
        var call = toolUses[0];
        call.Name.ShouldBe("get_weather");
        call.ID.ShouldNotBeNullOrWhiteSpace();
        call.Input["city"].GetString().ShouldBe("Paris");
        call.Input["days"].GetInt32().ShouldBe(3);

        // The id is the one the backend gets back: the follow-up turn links the result to the same call.
        var followUp = ask with
        {
            Messages =
            [
                new UserMessageParam("Weather in Paris?"),
                new AssistantMessageParam(new List<ContentBlockParam>
                {
                    new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input.ToDictionary(p => p.Key, p => p.Value) },
                }),
                new UserMessageParam(new List<ContentBlockParam> { new ToolResultBlockParam(call.ID) { Content = "22C sunny" } }),
            ],
        };
        var answer = await client.Messages.Create(followUp);
        answer.Content[0].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("It is sunny.");
        using var upstream = proxy.Fake.LastChatRequest.Json();
        var messages = upstream.RootElement.GetProperty("messages").EnumerateArray().ToList();
        var assistant = messages.Single(m => m.GetProperty("role").GetString() == "assistant");
        assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString().ShouldBe(call.ID);
        var tool = messages.Single(m => m.GetProperty("role").GetString() == "tool");
        tool.GetProperty("tool_call_id").GetString().ShouldBe(call.ID);
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task Reasoning_arrives_as_a_signed_thinking_block(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("The answer is 4.").WithReasoning("Two plus two makes four."));
        using var client = proxy.CreateSdkClient();

        var message = await client.Messages.CreateStreaming(Ask("2+2?") with { Thinking = new ThinkingConfigEnabled(budgetTokens: 2048) }).Aggregate();

        message.Content.Count.ShouldBe(2);
        message.Content[0].TryPickThinking(out var thinking).ShouldBeTrue();
        thinking!.Thinking.ShouldBe("Two plus two makes four.");
        thinking.Signature.ShouldNotBeNullOrEmpty();
        message.Content[1].TryPickText(out var text).ShouldBeTrue();
        text!.Text.ShouldBe("The answer is 4.");
        message.StopReason!.Raw().ShouldBe("end_turn");
    }

    [Theory]
    [MemberData(nameof(Flavors))]
    public async Task A_stop_sequence_in_the_output_ends_the_answer_before_it(ServerFlavor flavor)
    {
        await using var proxy = await ProxyHarness.StartAsync(flavor);
        proxy.Fake.Enqueue(ScriptedResponse.Text("Count: one two STOP three four"));
        proxy.Fake.Enqueue(ScriptedResponse.Text("Count: one two STOP three four"));
        using var client = proxy.CreateSdkClient();
        var ask = Ask("Count.", stop: ["STOP"]);

        foreach (var message in new[] { await client.Messages.CreateStreaming(ask).Aggregate(), await client.Messages.Create(ask) })
        {
            message.Content[0].TryPickText(out var text).ShouldBeTrue();
            text!.Text.ShouldBe("Count: one two ");
            message.StopReason!.Raw().ShouldBe("stop_sequence");
            message.StopSequence.ShouldBe("STOP");
        }
    }
}
