using AnyClaude.Abstractions.Messages;
using AnyClaude.OpenAICompat.ToolCalls;
using CsCheck;
using static AnyClaude.OpenAICompat.Tests.ToolCalls.ResponseStreams;

namespace AnyClaude.OpenAICompat.Tests.ToolCalls;

/// <summary>
/// However the upstream splits an answer into chunks, the client gets the same blocks: every split into two
/// chunks, and random splits into many (CsCheck), for every format and for text that only looks like a call.
/// </summary>
public sealed class ChunkBoundaryPropertyTests
{
    private static readonly TextToolCallTransform Step = new();

    public static TheoryData<PrintedCallCase> Cases() => [.. PrintedCallCases.All];

    public static TheoryData<string> PlainTexts() => [.. PrintedCallCases.PlainTexts];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_split_into_two_chunks_yields_the_unsplit_blocks(PrintedCallCase printed)
    {
        for (int at = 1; at < printed.Answer.Length; at++)
        {
            var answer = await RunAsync(Step, ClaudeCodeTools(), [printed.Answer[..at], printed.Answer[at..]], printed.Thinking);

            answer.Blocks.Select(b => b.ToString()).ShouldBe(printed.Blocks, $"split at {at}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Random_splits_into_many_chunks_yield_the_unsplit_blocks(PrintedCallCase printed) =>
        Splits(printed.Answer).Sample(chunks =>
        {
            var answer = RunAsync(Step, ClaudeCodeTools(), chunks, printed.Thinking).GetAwaiter().GetResult();
            return answer.Blocks.Select(b => b.ToString()).SequenceEqual(printed.Blocks) && answer.StopReason == StopReasons.ToolUse;
        }, iter: 200);

    [Theory]
    [MemberData(nameof(PlainTexts))]
    public void Text_that_only_looks_like_a_call_passes_unchanged_however_it_is_split(string text) =>
        Splits(text).Sample(chunks => IsUnchanged(text, chunks), iter: 200);

    [Fact]
    public void Generated_text_full_of_marker_fragments_passes_unchanged()
    {
        string[] fragments = ["<tool", "<tool_call>", "</tool_call>", "[TOOL", "[TOOL_CALLS]", "[TOOL_REQUEST]", "[ARGS]", "<|python_tag|>", "<function=", "{", "}", "[", "]", "\"name\"", ": ", "<", "x", " ", "\n", "ü", "🙂", "'", "\""];
        var texts = Gen.OneOf(fragments).Array[1, 30].Select(parts => string.Concat(parts));
        texts.SelectMany(text => Splits(text).Select(chunks => (text, chunks)))
            .Sample(pair => IsUnchanged(pair.text, pair.chunks), iter: 500);
    }

    private static bool IsUnchanged(string text, string[] chunks)
    {
        var answer = RunAsync(Step, ClaudeCodeTools(), chunks).GetAwaiter().GetResult();
        return answer.StopReason == StopReasons.EndTurn
            && answer.Blocks.Count == 1
            && answer.Blocks[0] == new Block("text", text);
    }

    /// <summary>The text cut at a random set of positions (UTF-16 positions: a surrogate pair may be split too).</summary>
    private static Gen<string[]> Splits(string text) =>
        Gen.Int[1, Math.Max(1, text.Length - 1)].Array[0, Math.Min(40, text.Length)].Select(cuts =>
        {
            var points = cuts.Where(c => c > 0 && c < text.Length).Distinct().Order().Prepend(0).Append(text.Length).ToArray();
            return points.Zip(points.Skip(1), (a, b) => text[a..b]).ToArray();
        });
}
