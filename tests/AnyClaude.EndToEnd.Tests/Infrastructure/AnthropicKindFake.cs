using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>A local server's Anthropic Messages endpoint behind the passthrough: Anthropic SSE, the call as <c>input_json_delta</c>s.</summary>
internal sealed class AnthropicKindFake(FakeAnthropicServer server) : IKindFake
{
    public string Kind => "anthropic";

    public Uri Url => server.RootUrl;

    private const string CallId = "toolu_01FakeWrite";

    public string? ScriptedCallId => CallId;

    public int TurnCount => server.MessageRequests.Count;

    public static async Task<IKindFake> StartAsync() => new AnthropicKindFake(await FakeAnthropicServer.StartAsync());

    public void ScriptWrite(string path, string content, string finalText) =>
        server.Enqueue(
            new NativeReply
            {
                Parts =
                [
                    new NativePart.Text("I'll write the file."),
                    new NativePart.ToolCall(CallId, "Write", JsonSerializer.Serialize(new { file_path = path, content })),
                ],
            },
            NativeReply.Text(finalText));

    public ToolResultSeen ToolResultOf(int turn)
    {
        using var body = server.MessageRequests[turn].Json();
        var result = body.RootElement.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "user" && m.GetProperty("content").ValueKind == JsonValueKind.Array)
            .SelectMany(m => m.GetProperty("content").EnumerateArray())
            .Last(block => block.GetProperty("type").GetString() == "tool_result");
        var content = result.GetProperty("content");
        string text = content.ValueKind == JsonValueKind.String
            ? content.GetString() ?? ""
            : string.Concat(content.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "text").Select(b => b.GetProperty("text").GetString()));
        bool isError = result.TryGetProperty("is_error", out var flag) && flag.ValueKind == JsonValueKind.True;
        return new ToolResultSeen(result.GetProperty("tool_use_id").GetString() ?? "", text, isError);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
