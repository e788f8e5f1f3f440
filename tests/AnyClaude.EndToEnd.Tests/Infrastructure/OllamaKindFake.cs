using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>Ollama's native <c>/api/chat</c>: NDJSON lines, the tool call whole with its arguments as an object.</summary>
internal sealed class OllamaKindFake(FakeOllamaServer server)
    : NativeKindFake("ollama", server.RootUrl, "call_k3v9q2ld", server.Enqueue, server)
{
    public static async Task<IKindFake> StartAsync() => new OllamaKindFake(await FakeOllamaServer.StartAsync());

    protected override IReadOnlyList<RecordedRequest> Turns => server.ChatRequests;

    /// <summary>A <c>tool</c> message naming the tool; an error is its text starting with <c>Error:</c>.</summary>
    protected override ToolResultSeen ToolResultIn(JsonElement body)
    {
        var message = body.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "tool");
        message.GetProperty("tool_name").GetString().ShouldBe("Write");
        string text = message.GetProperty("content").GetString() ?? "";
        return new ToolResultSeen(message.GetProperty("tool_call_id").GetString() ?? "", text, text.StartsWith("Error:", StringComparison.Ordinal));
    }
}
