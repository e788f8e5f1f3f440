namespace AnyClaude.Host.Tests.Load;

/// <summary>
/// Tests that sample the whole test process (memory, threads, sockets) or hold the proxy to a wall-clock bound
/// (an upstream abort within one second): they run on their own, after the parallel tests, so other tests' work
/// does not show up in their figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Load (runs alone)";
}
