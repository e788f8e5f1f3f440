namespace AnyClaude.Host.Servers;

/// <summary>
/// A backend's <c>start</c> setting: the command that starts its model server when nothing answers at its URL, how
/// long the server may take to answer its health check (a large model's load takes minutes), and variables set for it.
/// </summary>
internal sealed record StartSettings(ServerCommand Command)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary><c>startTimeoutSeconds</c>: from starting the command to the server answering its health check.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary><c>startEnvironment</c>: variables set for the server on top of anyclaude's own (e.g. <c>CUDA_VISIBLE_DEVICES</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = NoVariables;

    public bool Equals(StartSettings? other) =>
        other is not null
        && Command.Equals(other.Command)
        && Timeout == other.Timeout
        && Environment.Count == other.Environment.Count
        && Environment.All(pair => other.Environment.TryGetValue(pair.Key, out string? value) && value == pair.Value);

    public override int GetHashCode() => HashCode.Combine(Command, Timeout, Environment.Count);
}
