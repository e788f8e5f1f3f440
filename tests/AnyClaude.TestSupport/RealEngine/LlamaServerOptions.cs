namespace AnyClaude.TestSupport.RealEngine;

/// <summary>How a test's <see cref="RealLlamaServer"/> runs: llama-server's own flags.</summary>
public sealed record LlamaServerOptions
{
    /// <summary><c>-c</c>: the whole context, shared by the slots (each gets <c>ContextSize / Parallel</c>).</summary>
    public int ContextSize { get; init; } = 65536;

    /// <summary><c>--parallel</c>: slots.</summary>
    public int Parallel { get; init; } = 1;

    /// <summary><c>-n</c>: the most tokens one answer may have (the tiny model usually stops after a few words).</summary>
    public int MaxAnswerTokens { get; init; } = 48;

    /// <summary>The port; null takes a free one (never 8080/8090, which every anyclaude probes).</summary>
    public int? Port { get; init; }

    /// <summary>More flags, e.g. <c>--cache-ram 0</c>.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
