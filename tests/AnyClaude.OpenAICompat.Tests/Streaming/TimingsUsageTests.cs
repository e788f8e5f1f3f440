using System.Text;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;
using AnyClaude.OpenAICompat.Streaming;

namespace AnyClaude.OpenAICompat.Tests.Streaming;

/// <summary>llama.cpp's <c>timings</c> in the last chunks: read, and the source of cached-token usage where <c>prompt_tokens_details</c> is missing.</summary>
public sealed class TimingsUsageTests
{
    private const string Text = """{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"hi"}}],"object":"chat.completion.chunk"}""";

    private const string Finish = """
        {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"object":"chat.completion.chunk",
         "timings":{"cache_n":900,"prompt_n":300,"prompt_ms":40.5,"predicted_n":12,"predicted_ms":300.0,"predicted_per_second":40.0}}
        """;

    private static Usage Translate(params string[] chunks)
    {
        var translator = new ChatStreamTranslator(estimatedInputTokens: 7);
        var events = new List<MessageStreamEvent>();
        foreach (var chunk in chunks)
        {
            translator.OnChunk(ChatChunkReader.Read(Encoding.UTF8.GetBytes(chunk)), events);
        }

        translator.Complete(events);
        return events.OfType<MessageDeltaEvent>().Single().Usage;
    }

    [Fact]
    public void The_reader_takes_the_timings_of_a_chunk()
    {
        var timings = ChatChunkReader.Read(Encoding.UTF8.GetBytes(Finish)).Timings.ShouldNotBeNull();

        timings.CacheN.ShouldBe(900);
        timings.PromptN.ShouldBe(300);
        timings.PredictedN.ShouldBe(12);
        timings.PredictedPerSecond.ShouldBe(40.0);
    }

    [Fact]
    public void Usage_without_prompt_tokens_details_takes_the_cached_count_from_timings()
    {
        var usage = Translate(Text, Finish, """{"choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":12,"total_tokens":1212}}""");

        usage.InputTokens.ShouldBe(300);
        usage.CacheReadInputTokens.ShouldBe(900);
        usage.OutputTokens.ShouldBe(12);
    }

    [Fact]
    public void Prompt_tokens_details_win_over_timings()
    {
        var usage = Translate(Text, Finish, """{"choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":12,"prompt_tokens_details":{"cached_tokens":1000}}}""");

        usage.CacheReadInputTokens.ShouldBe(1000);
        usage.InputTokens.ShouldBe(200);
    }

    [Fact]
    public void Timings_alone_give_the_usage_when_the_server_sent_no_usage()
    {
        var usage = Translate(Text, Finish);

        usage.InputTokens.ShouldBe(300);
        usage.CacheReadInputTokens.ShouldBe(900);
        usage.OutputTokens.ShouldBe(12);
    }

    [Fact]
    public void Without_usage_or_timings_the_estimate_stays()
    {
        var usage = Translate(Text, """{"choices":[{"finish_reason":"stop","index":0,"delta":{}}]}""");

        usage.InputTokens.ShouldBe(7);
        usage.CacheReadInputTokens.ShouldBe(0);
    }
}
