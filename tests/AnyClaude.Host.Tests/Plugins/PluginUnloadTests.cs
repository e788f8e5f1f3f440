using System.Runtime.CompilerServices;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Messages;
using AnyClaude.Host.Plugins;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace AnyClaude.Host.Tests.Plugins;

[Collection(PluginCollection.Name)]
public sealed class PluginUnloadTests(TestPlugins plugins, ITestOutputHelper output)
{
    [Fact]
    public async Task A_removed_plugins_load_context_is_collected()
    {
        using var folder = new TempPluginsFolder();
        plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        using var manager = folder.CreateManager();
        var context = await LoadAndUseAsync(manager);

        Directory.Delete(Path.Combine(folder.Path, "Echo"), recursive: true);
        manager.Reload().Plugins.ShouldBeEmpty();

        Collect(context).ShouldBeTrue("the removed plugin's AssemblyLoadContext is collected");
    }

    [Fact]
    public async Task Fifty_reloads_unload_every_old_context_and_memory_stays_flat()
    {
        using var folder = new TempPluginsFolder();
        string echo = plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        using var manager = folder.CreateManager();
        var contexts = new List<WeakReference>();
        for (int i = 0; i < 5; i++)
        {
            contexts.Add(await ReplaceAndUseAsync(manager, echo, i));
        }

        long heapBefore = MeasureHeap();
        long workingSetBefore = Environment.WorkingSet;
        const int reloads = 50;
        for (int i = 5; i < 5 + reloads; i++)
        {
            contexts.Add(await ReplaceAndUseAsync(manager, echo, i));
        }

        long heapAfter = MeasureHeap();
        long workingSetAfter = Environment.WorkingSet;
        int alive = contexts.Count(c => c.IsAlive);
        output.WriteLine($"{reloads} reloads: managed heap {heapBefore / 1024} KiB -> {heapAfter / 1024} KiB ({(heapAfter - heapBefore) / 1024:+#;-#;0} KiB), " +
            $"working set {workingSetBefore / (1024 * 1024)} MiB -> {workingSetAfter / (1024 * 1024)} MiB; load contexts still alive: {alive} of {contexts.Count} (the current one)");

        alive.ShouldBe(1, "only the current plugin's context is alive");
        (heapAfter - heapBefore).ShouldBeLessThan(8 * 1024 * 1024, "managed heap growth over 50 reloads");
    }

    /// <summary>Loads the plugin, creates a backend and streams one answer through it; returns a weak reference to its context.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> LoadAndUseAsync(PluginManager manager)
    {
        var plugin = manager.Reload().Plugins.Single();
        await UseAsync(plugin);
        return new WeakReference(plugin.Context);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<WeakReference> ReplaceAndUseAsync(PluginManager manager, string echoFolder, int i)
    {
        TestPlugins.CopyDirectory(plugins.OutputOf(i % 2 == 0 ? TestPlugins.EchoV2 : TestPlugins.EchoV1), echoFolder);
        var plugin = manager.Reload().Plugins.Single();
        plugin.Version.ShouldBe(i % 2 == 0 ? "2.0.0" : "1.0.0");
        await UseAsync(plugin);
        return new WeakReference(plugin.Context);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task UseAsync(LoadedPlugin plugin)
    {
        using var client = new HttpClient();
        var backend = plugin.BackendFactories.Single().Create(
            new BackendSettings { Name = "e", Kind = "echo", Url = new Uri("http://127.0.0.1:9/v1") },
            new BackendServices(client, NullLoggerFactory.Instance, TimeProvider.System));
        var request = new MessagesRequest { Model = "m", Messages = [new Message { Content = [new TextBlock("Hi")] }] };
        int events = 0;
        await foreach (var _ in backend.StreamAsync(request, new BackendCall("r", NullLogger.Instance), CancellationToken.None))
        {
            events++;
        }

        events.ShouldBe(7);
    }

    private static bool Collect(WeakReference reference)
    {
        for (int i = 0; i < 20 && reference.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return !reference.IsAlive;
    }

    private static long MeasureHeap()
    {
        for (int i = 0; i < 5; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
