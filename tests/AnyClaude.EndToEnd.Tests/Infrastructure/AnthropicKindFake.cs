using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>A local server's Anthropic Messages endpoint behind the passthrough: Anthropic SSE, the call as <c>input_json_delta</c>s.</summary>
internal sealed class AnthropicKindFake(FakeAnthropicServer server)
    : NativeKindFake("anthropic", server.RootUrl, "toolu_01FakeWrite", server.Enqueue, server)
{
    public static async Task<IKindFake> StartAsync() => new AnthropicKindFake(await FakeAnthropicServer.StartAsync());

    protected override IReadOnlyList<RecordedRequest> Turns => server.MessageRequests;

    /// <summary>A <c>tool_result</c> block in a user message; its content a string or text blocks.</summary>
    protected override ToolResultSeen ToolResultIn(JsonElement body)
    {
        var result = body.GetProperty("messages").EnumerateArray()
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
}
