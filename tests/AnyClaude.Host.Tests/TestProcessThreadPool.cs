using System.Runtime.CompilerServices;

namespace AnyClaude.Host.Tests;

/// <summary>
/// This test process hosts the proxy, the fake backends and the clients at once, on a 2-core machine where the
/// thread pool starts with two threads and adds one only about every half second. A moment of blocking anywhere
/// in it (JIT, a first exception path) then held a disconnect's way to the backend for 0.5–0.7 s in about one run
/// in twenty-five, against the one-second bound the tests hold the proxy to. The proxy alone, in its own process,
/// does not share its pool with servers and clients, so only the test process starts with more threads.
/// </summary>
internal static class TestProcessThreadPool
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        const int Minimum = 16;
        ThreadPool.GetMinThreads(out int workers, out int completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, Minimum), Math.Max(completionPorts, Minimum));
    }
}
