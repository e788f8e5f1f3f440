namespace AnyClaude.Host.Tests.RealEngine;

/// <summary>
/// Tests over the real llama-server: each starts its own server, and two prefilling at once on this machine's two
/// cores would only slow each other down, so they run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealEngineCollection
{
    public const string Name = "Real llama-server (one at a time)";
}
