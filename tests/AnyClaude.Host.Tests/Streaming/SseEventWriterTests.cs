using System.IO.Pipelines;
using System.Text.Json;
using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Serialization;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.Host.Http;

namespace AnyClaude.Host.Tests.Streaming;

public sealed class SseEventWriterTests
{
    private const string Awkward = "quote \" backslash \\ newline \n tab \t nul \u0000 <tag> & é 日本 \U0001F600 \u2028 end";

    public static TheoryData<string, MessageStreamEvent> Events => new()
    {
        { "text", new ContentBlockDeltaEvent(0, new TextDelta(" the")) },
        { "awkward text", new ContentBlockDeltaEvent(3, new TextDelta(Awkward)) },
        { "empty text", new ContentBlockDeltaEvent(12345, new TextDelta("")) },
        { "thinking", new ContentBlockDeltaEvent(0, new ThinkingDelta(Awkward)) },
        { "signature", new ContentBlockDeltaEvent(1, new SignatureDelta("anyclaude-local")) },
        { "tool arguments", new ContentBlockDeltaEvent(2, new InputJsonDelta("{\"file_path\": \"/tmp/a b\\\\c\"}")) },
        { "block start", new ContentBlockStartEvent(0, new TextBlock()) },
        { "message stop", MessageStopEvent.Instance },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task Writes_each_event_as_one_frame_with_the_serializers_json(string what, MessageStreamEvent streamEvent)
    {
        var pipe = new Pipe();
        var writer = new SseEventWriter(pipe.Writer);
        writer.Write(streamEvent);
        await writer.FlushAsync(CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        var read = await pipe.Reader.ReadAsync();
        string frame = Encoding.UTF8.GetString(read.Buffer);

        var expectedJson = new MemoryStream();
        using (var json = new Utf8JsonWriter(expectedJson, AnthropicJson.WriterOptions))
        {
            JsonSerializer.Serialize(json, streamEvent, AnthropicJsonContext.Default.MessageStreamEvent);
        }

        frame.ShouldBe($"event: {streamEvent.Type}\ndata: {Encoding.UTF8.GetString(expectedJson.ToArray())}\n\n", what);
        using var parsed = JsonDocument.Parse(frame.Split("data: ")[1]);
        parsed.RootElement.GetProperty("type").GetString().ShouldBe(streamEvent.Type);
    }

    [Fact]
    public async Task A_burst_larger_than_the_buffer_arrives_whole_and_in_order()
    {
        // 3,000 frames written without a flush: the pooled buffer grows and moves to the pipe past 32 KB on its own.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using (var writer = new SseEventWriter(pipe.Writer))
        {
            for (int i = 0; i < 3_000; i++)
            {
                writer.Write(new ContentBlockDeltaEvent(0, new TextDelta($"token {i} {Awkward}")));
            }

            await writer.FlushAsync(CancellationToken.None);
        }

        await pipe.Writer.CompleteAsync();
        var text = new StringBuilder();
        while (true)
        {
            var read = await pipe.Reader.ReadAsync();
            text.Append(Encoding.UTF8.GetString(read.Buffer));
            pipe.Reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        string[] frames = text.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        frames.Length.ShouldBe(3_000);
        for (int i = 0; i < frames.Length; i++)
        {
            using var parsed = JsonDocument.Parse(frames[i].Split("data: ")[1]);
            parsed.RootElement.GetProperty("delta").GetProperty("text").GetString().ShouldBe($"token {i} {Awkward}");
        }
    }
}
