namespace AnyClaude.Host.Tests.Load;

/// <summary>
/// Load tests sample the whole test process (memory, threads, sockets): they run on their own, after the
/// parallel tests, so other tests' work does not show up in their figures.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Load (runs alone)";
}
