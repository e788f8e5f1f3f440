using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Streaming;
using Microsoft.Extensions.Logging.Abstractions;
using static AnyClaude.OpenAICompat.Tests.Streaming.ChatStreamTranslatorTests;

namespace AnyClaude.OpenAICompat.Tests.Responses;

/// <summary>
/// The <c>think-tags</c> and <c>stop-sequences</c> steps on what the translator makes of Chat Completions chunks (the
/// inputs and expectations the translator's own tests had when it did this itself), in the default order.
/// </summary>
public sealed class ThinkTagAndStopSequenceStepTests
{
    private static async Task<(List<MessageStreamEvent> Events, Upstream Upstream)> ThroughSteps(IEnumerable<string> chunks, IReadOnlyList<string>? stopSequences = null)
    {
        var translator = new ChatStreamTranslator(50);
        var translated = new List<MessageStreamEvent> { new MessageStartEvent(new MessageResponse { Id = "msg", Model = "m" }) };
        foreach (var json in chunks)
        {
            translator.OnChunk(Chunk(json), translated);
        }

        translator.Complete(translated);
        var upstream = new Upstream(translated);
        var request = new MessagesRequest { Model = "m", MaxTokens = 100, StopSequences = stopSequences?.ToList() };
        var context = new ResponseContext(request, new EstimatingBackend(), new BackendCall("req_test", NullLogger.Instance), CancellationToken.None);
        var events = new List<MessageStreamEvent>();
        await foreach (var e in new StopSequenceTransform().Apply(new ThinkTagTransform().Apply(upstream, context), context))
        {
            events.Add(e);
        }

        events[0].ShouldBeOfType<MessageStartEvent>();
        events.RemoveAt(0);
        AssertWellFormed(events);
        return (events, upstream);
    }

    public static TheoryData<string[]> ThinkTagStreams() => new()
    {
        { new[] { "<think>I should greet.</think>\n\nHello!" } },
        { new[] { "<thi", "nk>I should ", "greet.</th", "ink>", "\n\nHel", "lo!" } },
        { new[] { "\n", "  <think>", "I should greet.", "<", "/think>Hello!" } },
        { new[] { "<", "t", "h", "i", "n", "k", ">", "I should greet.", "</think", ">", "\n", "Hello!" } },
    };

    [Theory]
    [MemberData(nameof(ThinkTagStreams))]
    public async Task Think_tags_in_content_become_thinking_then_text(string[] pieces)
    {
        var (events, _) = await ThroughSteps([.. pieces.Select(Content), Finish("stop")]);

        var blocks = Blocks(events);
        blocks.Count.ShouldBe(2);
        blocks[0].Block.ShouldBeOfType<ThinkingBlock>();
        blocks[0].Text.ShouldBe("I should greet.");
        blocks[1].Block.ShouldBeOfType<TextBlock>();
        blocks[1].Text.ShouldBe("Hello!");
    }

    [Fact]
    public async Task Literal_think_tag_later_in_an_answer_stays_text()
    {
        var (events, _) = await ThroughSteps([Content("Use the "), Content("<think>"), Content(" tag to reason.</think>"), Finish("stop")]);

        var block = Blocks(events).ShouldHaveSingleItem();
        block.Block.ShouldBeOfType<TextBlock>();
        block.Text.ShouldBe("Use the <think> tag to reason.</think>");
    }

    [Fact]
    public async Task Stop_sequence_split_across_chunks_is_matched_and_upstream_is_no_longer_read()
    {
        var (events, upstream) = await ThroughSteps([Content("Result: 42 ##"), Content("#EN"), Content("D and more"), Content(" ignored"), Finish("stop")], ["###END"]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("Result: 42 ");
        End(events).Delta.StopReason.ShouldBe(StopReasons.StopSequence);
        End(events).Delta.StopSequence.ShouldBe("###END");
        End(events).Usage.InputTokens.ShouldBe(EstimatingBackend.Estimate);
        upstream.Disposed.ShouldBeTrue();
        upstream.Read.ShouldBeLessThan(upstream.Count, "the events after the stop sequence are not pulled");
    }

    [Fact]
    public async Task Earliest_of_several_stop_sequences_wins()
    {
        var (events, _) = await ThroughSteps([Content("alpha BETA gamma ALPHA")], ["ALPHA", "BETA"]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("alpha ");
        End(events).Delta.StopSequence.ShouldBe("BETA");
    }

    [Fact]
    public async Task Partial_stop_sequence_match_is_released_at_the_end()
    {
        var (events, upstream) = await ThroughSteps([Content("almost ##"), Content("#EN"), Finish("stop")], ["###END"]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("almost ###EN");
        End(events).Delta.StopReason.ShouldBe(StopReasons.EndTurn);
        End(events).Delta.StopSequence.ShouldBeNull();
        upstream.Read.ShouldBe(upstream.Count);
    }

    [Fact]
    public async Task A_stop_sequence_inside_thinking_does_not_end_the_answer()
    {
        var (events, _) = await ThroughSteps([Content("<think>maybe STOP here</think>"), Content("The answer STOP rest"), Finish("stop")], ["STOP"]);

        var blocks = Blocks(events);
        blocks.Select(b => b.Text).ShouldBe(["maybe STOP here", "The answer "]);
        End(events).Delta.StopSequence.ShouldBe("STOP");
    }

    [Fact]
    public async Task The_shorter_stop_sequence_that_completes_first_wins_over_a_longer_one_still_open()
    {
        var (events, _) = await ThroughSteps([Content("xABC"), Content("D")], ["ABCD", "BC"]);

        Blocks(events).ShouldHaveSingleItem().Text.ShouldBe("xA");
        End(events).Delta.StopSequence.ShouldBe("BC");
    }

    /// <summary>The translated events, counting how many were pulled and whether the step disposed them.</summary>
    private sealed class Upstream(List<MessageStreamEvent> events) : IAsyncEnumerable<MessageStreamEvent>
    {
        public int Count => events.Count;

        public int Read { get; private set; }

        public bool Disposed { get; private set; }

        public async IAsyncEnumerator<MessageStreamEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            try
            {
                foreach (var e in events)
                {
                    await Task.Yield();
                    Read++;
                    yield return e;
                }
            }
            finally
            {
                Disposed = true;
            }
        }
    }

    private sealed class EstimatingBackend : IBackend
    {
        public const int Estimate = 321;

        public string Name => "test";

        public BackendCapabilities Capabilities { get; } = new();

        public Uri BaseUrl { get; } = new("http://127.0.0.1:1/v1");

        public IAsyncEnumerable<MessageStreamEvent> StreamAsync(MessagesRequest request, BackendCall call, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<int> CountInputTokensAsync(MessagesRequest request, CancellationToken cancellationToken) => ValueTask.FromResult(Estimate);

        public Task<BackendHealth> CheckHealthAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
