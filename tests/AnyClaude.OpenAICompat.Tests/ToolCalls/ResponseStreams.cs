using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

/// <summary>A block of an answer as the client folds it: its type and its content (tool_use: name and canonical input).</summary>
internal sealed record Block(string Type, string Content)
{
    public override string ToString() => $"{Type}: {Content}";
}

internal sealed record Answer(IReadOnlyList<Block> Blocks, string? StopReason, IReadOnlyList<string> Warnings, IReadOnlyList<MessageStreamEvent> Events);

/// <summary>Runs a response step over an upstream answer given as text chunks (after an optional thinking block) and checks the stream grammar.</summary>
internal static class ResponseStreams
{
    public static readonly Tool Write = Tool("Write", """{"type":"object","properties":{"file_path":{"type":"string"},"content":{"type":"string"}},"required":["file_path","content"]}""");

    public static readonly Tool Read = Tool("Read", """{"type":"object","properties":{"file_path":{"type":"string"},"limit":{"type":"integer"},"offset":{"type":"number"}}}""");

    public static readonly Tool Edit = Tool("Edit", """{"type":"object","properties":{"file_path":{"type":"string"},"old_string":{"type":"string"},"new_string":{"type":"string"},"replace_all":{"type":"boolean"}}}""");

    public static readonly Tool Todo = Tool("TodoWrite", """{"type":"object","properties":{"todos":{"type":"array","items":{"type":"object"}},"meta":{"type":["object","null"]}}}""");

    public static Tool Tool(string name, string schema) => new() { Name = name, InputSchema = JsonDocument.Parse(schema).RootElement.Clone() };

    public static MessagesRequest Request(params Tool[] tools) => new() { Model = "m", MaxTokens = 100, Tools = tools.Length == 0 ? null : [.. tools] };

    public static MessagesRequest ClaudeCodeTools() => Request(Write, Read, Edit, Todo);

    public static async Task<Answer> RunAsync(IResponseTransform step, MessagesRequest request, IEnumerable<string> chunks, string? thinking = null, string stopReason = StopReasons.EndTurn)
    {
        var call = new BackendCall("req_test", NullLogger.Instance);
        var events = new List<MessageStreamEvent>();
        await foreach (var e in step.Apply(Upstream(chunks, thinking, stopReason), new ResponseContext(request, UnusedBackend.Instance, call, CancellationToken.None)))
        {
            events.Add(e);
        }

        return Fold(events, call.Warnings);
    }

    public static async IAsyncEnumerable<MessageStreamEvent> Upstream(IEnumerable<string> chunks, string? thinking, string stopReason)
    {
        await Task.Yield();
        yield return new MessageStartEvent(new MessageResponse { Id = "msg_1", Model = "m" });
        int index = 0;
        if (thinking is not null)
        {
            yield return new ContentBlockStartEvent(index, new ThinkingBlock());
            yield return new ContentBlockDeltaEvent(index, new ThinkingDelta(thinking));
            yield return new ContentBlockDeltaEvent(index, new SignatureDelta("sig"));
            yield return new ContentBlockStopEvent(index);
            index++;
        }

        yield return new ContentBlockStartEvent(index, new TextBlock());
        foreach (string chunk in chunks)
        {
            yield return new ContentBlockDeltaEvent(index, new TextDelta(chunk));
            yield return PingEvent.Instance;
        }

        yield return new ContentBlockStopEvent(index);
        yield return new MessageDeltaEvent(new MessageDelta(stopReason, null), new Usage { OutputTokens = 5 });
        yield return MessageStopEvent.Instance;
    }

    /// <summary>Folds the events into blocks, failing on any break of the stream grammar.</summary>
    public static Answer Fold(IReadOnlyList<MessageStreamEvent> events, IEnumerable<string> warnings)
    {
        var blocks = new List<Block>();
        string? stopReason = null;
        int expected = 0;
        int open = -1;
        string type = "";
        var content = new System.Text.StringBuilder();
        events[0].ShouldBeOfType<MessageStartEvent>();
        events[^1].ShouldBeOfType<MessageStopEvent>();
        foreach (var e in events)
        {
            switch (e)
            {
                case ContentBlockStartEvent start:
                    open.ShouldBe(-1, "a block started while another was open");
                    start.Index.ShouldBe(expected, "block indexes count up from 0");
                    open = expected++;
                    content.Clear();
                    type = start.ContentBlock.Type;
                    if (start.ContentBlock is ToolUseBlock tool)
                    {
                        tool.Id.ShouldStartWith("toolu_");
                        content.Append(tool.Name).Append(' ');
                    }

                    break;
                case ContentBlockDeltaEvent delta:
                    delta.Index.ShouldBe(open, "a delta for a block that is not open");
                    content.Append(delta.Delta switch
                    {
                        TextDelta t => t.Text,
                        ThinkingDelta t => t.Thinking,
                        InputJsonDelta j => j.PartialJson,
                        _ => "",
                    });
                    break;
                case ContentBlockStopEvent stop:
                    stop.Index.ShouldBe(open);
                    open = -1;
                    string text = content.ToString();
                    if (type == ContentBlockTypes.ToolUse)
                    {
                        int space = text.IndexOf(' ');
                        var input = JsonNode.Parse(text[(space + 1)..]).ShouldBeOfType<JsonObject>();
                        text = text[..space] + " " + input.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
                    }

                    blocks.Add(new Block(type, text));
                    break;
                case MessageDeltaEvent end:
                    open.ShouldBe(-1, "message_delta while a block was open");
                    stopReason = end.Delta.StopReason;
                    break;
            }
        }

        return new Answer(blocks, stopReason, [.. warnings], events);
    }

    /// <summary>The context names a backend; a response step under test never calls it.</summary>
    private sealed class UnusedBackend : IBackend
    {
        public static readonly UnusedBackend Instance = new();

        public string Name => "test";

        public BackendCapabilities Capabilities { get; } = new();

        public Uri BaseUrl { get; } = new("http://127.0.0.1:1/v1");

        public IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
