namespace AnyClaude.TestSupport;

/// <summary>
/// How a server reports its prefill while the script's prefill delay passes: a frame per tick (every 200 ms), the
/// processed count rising from <paramref name="Cached"/> to <paramref name="Total"/>.
/// </summary>
/// <param name="Total">The prompt's tokens.</param>
/// <param name="Cached">Tokens already in the cache: where the count starts.</param>
/// <param name="AtLeastOnce">Whether a frame is sent even with no prefill delay (llama.cpp reports after every batch, so at least once).</param>
/// <param name="Frame">The frame for (processed tokens, milliseconds since the prefill began).</param>
internal sealed record PrefillProgress(int Total, int Cached, bool AtLeastOnce, Func<int, long, byte[]> Frame);
