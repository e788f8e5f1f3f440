using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>Ollama's native <c>/api/chat</c>: NDJSON lines, the tool call whole with its arguments as an object.</summary>
internal sealed class OllamaKindFake(FakeOllamaServer server) : IKindFake
{
    public string Kind => "ollama";

    public Uri Url => server.RootUrl;

    private const string CallId = "call_k3v9q2ld";

    public string? ScriptedCallId => CallId;

    public int TurnCount => server.ChatRequests.Count;

    public static async Task<IKindFake> StartAsync() => new OllamaKindFake(await FakeOllamaServer.StartAsync());

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
        using var body = server.ChatRequests[turn].Json();
        var message = body.RootElement.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "tool");
        message.GetProperty("tool_name").GetString().ShouldBe("Write");
        string text = message.GetProperty("content").GetString() ?? "";
        return new ToolResultSeen(message.GetProperty("tool_call_id").GetString() ?? "", text, text.StartsWith("Error:", StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
