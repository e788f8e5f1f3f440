using AnyClaude.OpenAICompat.Rendering;

namespace AnyClaude.OpenAICompat.Tests.Rendering;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Growing_keeps_what_was_written_and_a_reset_starts_over_in_the_same_writer()
    {
        using var writer = new PooledBufferWriter(16);
        byte[] expected = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)).ToArray();
        for (int at = 0; at < expected.Length; at += 7)
        {
            var chunk = expected.AsSpan(at, Math.Min(7, expected.Length - at));
            chunk.CopyTo(writer.GetSpan(chunk.Length));
            writer.Advance(chunk.Length);
        }

        writer.WrittenCount.ShouldBe(expected.Length);
        writer.WrittenMemory.Span.SequenceEqual(expected).ShouldBeTrue();

        writer.ResetWrittenCount();
        writer.WrittenCount.ShouldBe(0);
        "ab"u8.CopyTo(writer.GetSpan(2));
        writer.Advance(2);
        writer.WrittenMemory.Span.SequenceEqual("ab"u8).ShouldBeTrue();
    }
}
