using AnyClaude.Host.Http;

namespace AnyClaude.Host.Tests.Http;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void Growing_keeps_what_was_written_and_a_write_after_dispose_starts_empty()
    {
        var writer = new PooledBufferWriter(16);
        byte[] expected = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)).ToArray();
        for (int at = 0; at < expected.Length; at += 7)
        {
            var chunk = expected.AsSpan(at, Math.Min(7, expected.Length - at));
            chunk.CopyTo(writer.GetSpan(chunk.Length));
            writer.Advance(chunk.Length);
        }

        writer.WrittenCount.ShouldBe(expected.Length);
        writer.WrittenSpan.SequenceEqual(expected).ShouldBeTrue();
        Should.Throw<ArgumentOutOfRangeException>(() => writer.Advance(writer.GetSpan(1).Length + 1));

        writer.Dispose();
        writer.WrittenCount.ShouldBe(0);
        "ab"u8.CopyTo(writer.GetSpan(2));
        writer.Advance(2);
        writer.WrittenSpan.SequenceEqual("ab"u8).ShouldBeTrue();
        writer.Dispose();
    }
}
