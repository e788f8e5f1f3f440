using System.Diagnostics;

namespace AnyClaude.Host.Tests.Load;

/// <summary>Memory, threads and open sockets of this test process (proxy and fake backend run in it).</summary>
internal readonly record struct ProcessSample(long ManagedBytes, long WorkingSetBytes, int Threads, int Sockets)
{
    public static ProcessSample Take()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return new ProcessSample(GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64, process.Threads.Count, CountSockets());
    }

    /// <summary>Open socket descriptors (Linux: /proc/self/fd links named <c>socket:[…]</c>); -1 where that is not available.</summary>
    public static int CountSockets()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc/self/fd"))
        {
            return -1;
        }

        int count = 0;
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true)
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return count;
    }

    public override string ToString() =>
        $"managed {ManagedBytes / 1024.0 / 1024.0:0.0} MiB, working set {WorkingSetBytes / 1024.0 / 1024.0:0.0} MiB, threads {Threads}, sockets {Sockets}";
}

internal static class ProcessBounds
{
    /// <summary>
    /// Waits (up to <paramref name="settle"/>) for the process to come back within the bounds of <paramref name="before"/>:
    /// sockets close and threads retire a little after the last request. Returns the last sample.
    /// </summary>
    public static async Task<ProcessSample> AssertWithinAsync(ProcessSample before, long managedBytes, int threads, int sockets, TimeSpan settle, string what)
    {
        var deadline = DateTime.UtcNow + settle;
        while (true)
        {
            var after = ProcessSample.Take();
            bool ok = after.ManagedBytes - before.ManagedBytes <= managedBytes
                && after.Threads - before.Threads <= threads
                && after.Sockets - before.Sockets <= sockets;
            if (ok)
            {
                return after;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new Shouldly.ShouldAssertException(
                    $"{what}: the process grew beyond its bounds (managed +{managedBytes / 1024 / 1024} MiB, threads +{threads}, sockets +{sockets}).\nbefore: {before}\nafter:  {after}");
            }

            await Task.Delay(250);
        }
    }
}
