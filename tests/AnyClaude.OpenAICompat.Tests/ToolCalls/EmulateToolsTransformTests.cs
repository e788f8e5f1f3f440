using System.Text.Json;
using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.ToolCalls;
using static AnyClaude.OpenAICompat.Tests.ToolCalls.ResponseStreams;

namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

public sealed class EmulateToolsTransformTests
{
    public static TheoryData<string> Formats() => ["qwen3-coder", "hermes", "llama3", "mistral", "lmstudio", "glm", "deepseek", "kimi"];

    private static readonly JsonElement WriteInput = JsonDocument.Parse("""{"file_path": "/tmp/a.html", "content": "<p>a < b</p>\nline \"two\" ü\n"}""").RootElement.Clone();

    private static ToolCallFormat Parse(string name) => ToolCallFormats.TryParse(name, out var format) ? format : throw new ArgumentException(name);

    private static MessagesRequest Conversation() => new()
    {
        Model = "m",
        MaxTokens = 100,
        System = [new TextBlock("You are Claude Code.")],
        Tools = [Write, Read],
        ToolChoice = new ToolChoice { Type = ToolChoiceTypes.Auto },
        Messages =
        [
            new Message { Role = MessageRoles.User, Content = [new TextBlock("write it")] },
            new Message { Role = MessageRoles.Assistant, Content = [new TextBlock("Writing."), new ToolUseBlock { Id = "toolu_1", Name = "Write", Input = WriteInput }] },
            new Message { Role = MessageRoles.User, Content = [new ToolResultBlock { ToolUseId = "toolu_1", Content = [new TextBlock("File created")] }] },
        ],
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Tools_go_into_the_system_prompt_and_the_history_becomes_text_in_the_format(string name)
    {
        var format = Parse(name);
        var request = Conversation();

        var offered = EmulateToolsTransform.Apply(request, format);

        offered.ShouldNotBeNull().Select(t => t.Name).ShouldBe(["Write", "Read"]);
        request.Tools.ShouldBeNull();
        request.ToolChoice.ShouldBeNull();
        request.System!.Count.ShouldBe(2);
        string instructions = request.System[1].Text;
        instructions.ShouldContain("{\"name\": \"Write\", \"parameters\": " + Write.InputSchema.GetRawText() + "}");
        instructions.ShouldContain(ToolCallPrinter.Call(format, "example_tool", JsonDocument.Parse("""{"example_parameter": "value"}""").RootElement));
        request.Messages.SelectMany(m => m.Content).ShouldAllBe(b => b is TextBlock);
        ((TextBlock)request.Messages[1].Content[1]).Text.ShouldBe(ToolCallPrinter.Call(format, "Write", WriteInput));
        ((TextBlock)request.Messages[2].Content[0]).Text.ShouldContain("File created");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void The_rendering_is_the_same_bytes_every_time(string name)
    {
        var first = Conversation();
        var second = Conversation();

        EmulateToolsTransform.Apply(first, Parse(name));
        EmulateToolsTransform.Apply(second, Parse(name));

        JsonSerializer.Serialize(second, Abstractions.Serialization.AnthropicJsonContext.Default.MessagesRequest)
            .ShouldBe(JsonSerializer.Serialize(first, Abstractions.Serialization.AnthropicJsonContext.Default.MessagesRequest));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_call_printed_in_the_format_reads_back_as_the_same_call(string name)
    {
        var format = Parse(name);
        string printed = ToolCallPrinter.Call(format, "Write", WriteInput);

        var answer = await RunAsync(new TextToolCallTransform(format), ClaudeCodeTools(), [printed]);

        var expected = System.Text.Json.Nodes.JsonNode.Parse(WriteInput.GetRawText())!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        answer.Blocks.ShouldBe([new Block("tool_use", "Write " + expected)]);
    }
}
