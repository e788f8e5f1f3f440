using System.Text;

namespace AnyClaude.TestSupport;

/// <summary>Server-sent-event frames as the model servers write them.</summary>
internal static class SseFrame
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] FrameEnd = "\n\n"u8.ToArray();

    /// <summary><c>data: [DONE]\n\n</c>.</summary>
    public static byte[] Done { get; } = "data: [DONE]\n\n"u8.ToArray();

    /// <summary><c>data: {payload}\n\n</c>.</summary>
    public static byte[] Data(ReadOnlySpan<byte> payload) => [.. DataPrefix, .. payload, .. FrameEnd];

    /// <summary><c>data: {payload}\n\n</c>, the payload sent verbatim.</summary>
    public static byte[] Data(string payload) => Data(Encoding.UTF8.GetBytes(payload));

    /// <summary><c>: {text}\n\n</c>, a comment line (mlx-lm's keepalive).</summary>
    public static byte[] Comment(string text) => Encoding.UTF8.GetBytes($": {text}\n\n");
}
