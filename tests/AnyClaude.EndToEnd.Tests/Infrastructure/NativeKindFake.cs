using System.Text.Json;
using AnyClaude.TestSupport.NativeServers;
using AnyClaude.TestSupport;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A native fake server (Ollama, an Anthropic endpoint) as an <see cref="IKindFake"/>: the scripted Write turn with the
/// kind's own call id is the same for all; each says only how its wire carries a tool result back.
/// </summary>
internal abstract class NativeKindFake(string kind, Uri url, string callId, Action<NativeReply[]> enqueue, IAsyncDisposable server) : IKindFake
{
    public string Kind => kind;

    public Uri Url => url;

    public string? ScriptedCallId => callId;

    public int TurnCount => Turns.Count;

    /// <summary>The requests the server received on its generation endpoint, in order.</summary>
    protected abstract IReadOnlyList<RecordedRequest> Turns { get; }

    public void ScriptWrite(string path, string content, string finalText) =>
        enqueue(
        [
            new NativeReply
            {
                Parts =
                [
                    new NativePart.Text("I'll write the file."),
                    new NativePart.ToolCall(callId, "Write", JsonSerializer.Serialize(new { file_path = path, content })),
                ],
            },
            NativeReply.Text(finalText),
        ]);

    public ToolResultSeen ToolResultOf(int turn)
    {
        using var body = Turns[turn].Json();
        return ToolResultIn(body.RootElement);
    }

    /// <summary>The last tool result in a generation request's body.</summary>
    protected abstract ToolResultSeen ToolResultIn(JsonElement body);

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
