using System.Text;
using AnyClaude.OpenAICompat.Backends;
using Shouldly;

namespace AnyClaude.OpenAICompat.Tests.Backends;

public sealed class PrefillProgressStreamTests
{
    private const string Body =
        ": keepalive 2048/8000\n\n: keepalive 8000/8000\r\n\r\n: keepalive garbage\n\n: keepalive 1/0\n\n" +
        "data: {\"choices\":[]}\n\n: keepalive 5/5\n\ndata: [DONE]\n\n";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Reports_mlx_lm_keepalive_counts_until_the_first_data_line_whatever_the_read_sizes(int readSize)
    {
        var reports = new List<(int, int)>();
        await using var stream = new PrefillProgressStream(new MemoryStream(Encoding.UTF8.GetBytes(Body)), (done, total) => reports.Add((done, total)));
        var passed = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            passed.Write(buffer, 0, read);
        }

        // The bytes pass unchanged; only well-formed counts before the first data line are reported.
        Encoding.UTF8.GetString(passed.ToArray()).ShouldBe(Body);
        reports.ShouldBe([(2048, 8000), (8000, 8000)]);
    }
}
