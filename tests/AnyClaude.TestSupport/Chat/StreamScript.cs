namespace AnyClaude.TestSupport;

/// <summary>The bytes of one chat stream and when to send them.</summary>
/// <param name="Frames">Complete SSE frames (<c>data: …\n\n</c>), without the closing <c>[DONE]</c>.</param>
/// <param name="SendDone">Whether <c>data: [DONE]</c> follows the frames.</param>
/// <param name="Timing">The script whose delays, break and hang apply.</param>
/// <param name="Prefill">What the server sends while it prefills (mlx-lm's keepalive comments, llama.cpp's progress chunks), or null for nothing.</param>
internal sealed record StreamScript(IReadOnlyList<byte[]> Frames, bool SendDone, ScriptedResponse Timing, PrefillProgress? Prefill);
