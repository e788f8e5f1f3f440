using System.Text.Json;
using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>An OpenAI-shaped kind (mlx-lm, lmstudio, llama-cpp, vllm, exo): its <see cref="FakeOpenAIServer"/> flavor's chunks and tool-call shape.</summary>
internal sealed class OpenAIKindFake(string kind, FakeOpenAIServer server) : IKindFake
{
    public string Kind => kind;

    public Uri Url => server.BaseUrl;

    /// <summary>The fake numbers its calls in its flavor's own style.</summary>
    public string? ScriptedCallId => null;

    public int TurnCount => server.ChatRequests.Count;

    public static async Task<IKindFake> StartAsync(string kind, ServerFlavor flavor) =>
        new OpenAIKindFake(kind, await FakeOpenAIServer.StartAsync(flavor));

    public void ScriptWrite(string path, string content, string finalText) =>
        server.Enqueue(
            ScriptedResponse.ToolCalls(("Write", JsonSerializer.Serialize(new { file_path = path, content }))).WithText("I'll write the file."),
            ScriptedResponse.Text(finalText));

    public ToolResultSeen ToolResultOf(int turn)
    {
        using var body = server.ChatRequests[turn].Json();
        var message = body.RootElement.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "tool");
        string text = message.GetProperty("content").GetString() ?? "";
        return new ToolResultSeen(message.GetProperty("tool_call_id").GetString() ?? "", text, text.StartsWith("Error:", StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
