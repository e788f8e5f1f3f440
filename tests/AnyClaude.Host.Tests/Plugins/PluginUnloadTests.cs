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

    [Fact]
    public async Task A_replaced_plugins_shadow_copy_stays_while_its_code_is_in_use_and_goes_once_its_context_is_collected()
    {
        using var folder = new TempPluginsFolder();
        string echo = plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        using var manager = folder.CreateManager();
        var (oldContext, oldCopy) = await ReplaceWhileHoldingAsync(manager, echo);

        Collect(oldContext).ShouldBeTrue("v1's context is collected once nothing holds it");
        manager.Reload();
        Directory.Exists(oldCopy).ShouldBeFalse("v1's shadow copy goes at the first reload after its context was collected");
        Directory.Exists(Path.GetDirectoryName(manager.Current.Plugins.Single().LoadedFrom)).ShouldBeTrue("v2's copy is in use");
    }

    /// <summary>Loads v1 and, while holding it, replaces it with v2 (and reloads once more): v1's copy is still there and v1 still serves.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<(WeakReference Context, string Copy)> ReplaceWhileHoldingAsync(PluginManager manager, string echoFolder)
    {
        var v1 = manager.Reload().Plugins.Single();
        TestPlugins.CopyDirectory(plugins.OutputOf(TestPlugins.EchoV2), echoFolder);
        manager.Reload().Plugins.Single().Version.ShouldBe("2.0.0");
        manager.Reload();

        string copy = Path.GetDirectoryName(v1.LoadedFrom)!;
        Directory.Exists(copy).ShouldBeTrue("v1's files stay while something still holds its code");
        await UseAsync(v1);
        return (new WeakReference(v1.Context), copy);
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
