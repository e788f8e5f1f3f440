using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Responses;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Tests.ToolCalls;
using AnyClaude.OpenAICompat.ToolCalls;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using static AnyClaude.OpenAICompat.Tests.ToolCalls.ResponseStreams;

namespace AnyClaude.OpenAICompat.Tests.Responses;

/// <summary>However the upstream splits an answer into chunks, <c>think-tags</c> gives the same blocks: every split into two, and random splits into many (CsCheck).</summary>
public sealed class ThinkTagChunkBoundaryPropertyTests
{
    private static readonly ThinkTagTransform Step = new();

    public static TheoryData<string, string[]> Cases() => new()
    {
        { "<think>I should greet.</think>\n\nHello!", ["thinking: I should greet.", "text: Hello!"] },
        { "\n  <think>a < b, so </thin is not the end</think>Done.", ["thinking: a < b, so </thin is not the end", "text: Done."] },
        { "<think></think>\nJust text.", ["text: Just text."] },
        { "<think>cut off before the end", ["thinking: cut off before the end"] },
        { "Use the <think> tag.</think>", ["text: Use the <think> tag.</think>"] },
        { "<thinking>is not the tag</thinking>", ["text: <thinking>is not the tag</thinking>"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_split_into_two_chunks_yields_the_unsplit_blocks(string text, string[] blocks)
    {
        for (int at = 1; at < text.Length; at++)
        {
            var answer = await RunAsync(Step, Request(), [text[..at], text[at..]]);

            answer.Blocks.Select(b => b.ToString()).ShouldBe(blocks, $"split at {at}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_splits_into_many_chunks_yield_the_unsplit_blocks(string text, string[] blocks) =>
        Splits(text).Sample(chunks =>
        {
            var answer = RunAsync(Step, Request(), chunks).GetAwaiter().GetResult();
            return answer.Blocks.Select(b => b.ToString()).SequenceEqual(blocks) && answer.StopReason == StopReasons.EndTurn;
        }, iter: 200);

    [Fact]
    public void A_tool_call_printed_after_the_thinking_is_parsed_however_it_is_split()
    {
        const string text = "<think>Read it first.</think>\n<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"file_path\": \"/a\"}}\n</tool_call>";
        string[] expected = ["thinking: Read it first.", "tool_use: Read {\"file_path\":\"/a\"}"];
        Splits(text).Sample(chunks =>
        {
            var answer = ThinkThenToolCallsAsync(chunks).GetAwaiter().GetResult();
            return answer.Blocks.Select(b => b.ToString()).SequenceEqual(expected) && answer.StopReason == StopReasons.ToolUse;
        }, iter: 200);
    }

    private static async Task<Answer> ThinkThenToolCallsAsync(string[] chunks)
    {
        var call = new BackendCall("req_test", NullLogger.Instance);
        var context = new ResponseContext(ClaudeCodeTools(), null!, call, CancellationToken.None);
        var events = new List<MessageStreamEvent>();
        await foreach (var e in new TextToolCallTransform().Apply(Step.Apply(Upstream(chunks, null, StopReasons.EndTurn), context), context))
        {
            events.Add(e);
        }

        return Fold(events, call.Warnings);
    }

    private static Gen<string[]> Splits(string text) =>
        Gen.Int[1, Math.Max(1, text.Length - 1)].Array[0, Math.Min(40, text.Length)].Select(cuts =>
        {
            var points = cuts.Where(c => c > 0 && c < text.Length).Distinct().Order().Prepend(0).Append(text.Length).ToArray();
            return points.Zip(points.Skip(1), (a, b) => text[a..b]).ToArray();
        });
}
