using System.Net;
using System.Reflection;
using System.Runtime.Loader;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Plugins;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Plugins;

[Collection(PluginCollection.Name)]
public sealed class PluginIsolationAndFailureTests(TestPlugins plugins)
{
    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+', '-')[0];

    [Fact]
    public void A_plugin_carries_its_own_version_of_a_package_the_host_uses_and_an_identical_one_is_shared()
    {
        using var folder = new TempPluginsFolder();
        plugins.Install(TestPlugins.Isolated, folder.Path);
        plugins.Install(TestPlugins.SharedSerilog, folder.Path);
        using var manager = folder.CreateManager();

        var catalog = manager.Reload();

        catalog.Failures.ShouldBeEmpty(string.Join(" | ", catalog.Failures));
        string hostSerilog = InformationalVersion(typeof(Serilog.Log).Assembly);
        hostSerilog.ShouldBe("4.4.0");
        AssemblyLoadContext.GetLoadContext(typeof(Serilog.Log).Assembly).ShouldBeSameAs(AssemblyLoadContext.Default);

        var isolated = catalog.Plugins.Single(p => p.Name == TestPlugins.Isolated);
        isolated.RequestTransforms.Single().Name.ShouldBe("serilog 2.10.0");
        var privateSerilog = isolated.Context.Assemblies.Single(a => a.GetName().Name == "Serilog");
        InformationalVersion(privateSerilog).ShouldBe("2.10.0");
        privateSerilog.ShouldNotBeSameAs(typeof(Serilog.Log).Assembly);

        var shared = catalog.Plugins.Single(p => p.Name == TestPlugins.SharedSerilog);
        shared.RequestTransforms.Single().Name.ShouldBe("serilog 4.4.0");
        shared.Context.Assemblies.ShouldNotContain(a => a.GetName().Name == "Serilog");

        // The contracts are the host's in both, so the plugins' objects are the host's interface types.
        isolated.Context.Assemblies.ShouldNotContain(a => a.GetName().Name == "AnyClaude.Abstractions");
        isolated.Context.ShouldNotBeSameAs(shared.Context);
        catalog.FindKind("isolated")!.Plugin.ShouldBeSameAs(isolated);
    }

    [Fact]
    public void A_plugin_that_carries_the_logging_abstractions_the_contracts_expose_uses_the_hosts()
    {
        using var folder = new TempPluginsFolder();
        string installed = plugins.Install(TestPlugins.CarriesLogging, folder.Path);
        File.Exists(Path.Combine(installed, "Microsoft.Extensions.Logging.Abstractions.dll")).ShouldBeTrue("the plugin ships its own copy");
        using var manager = folder.CreateManager();

        var catalog = manager.Reload();

        catalog.Failures.ShouldBeEmpty(string.Join(" | ", catalog.Failures));
        var plugin = catalog.Plugins.Single();
        plugin.Context.Assemblies.ShouldNotContain(a => a.GetName().Name == "Microsoft.Extensions.Logging.Abstractions");
        var log = new ListLogger();
        using var client = new HttpClient();
        using var loggers = new SingleLoggerFactory(log);
        var backend = plugin.BackendFactories.Single().Create(
            new BackendSettings { Name = "carrier", Kind = "carries-logging", Url = new Uri("http://127.0.0.1:9/v1") },
            new BackendServices(client, loggers, TimeProvider.System));
        backend.Name.ShouldBe("carrier");
        log.Lines.ShouldContain("Information: created carrier", "the plugin logged through the host's ILogger");
    }

    [Fact]
    public async Task Every_broken_plugin_is_reported_once_with_its_path_and_reason_and_the_rest_load_and_serve()
    {
        using var folder = new TempPluginsFolder();
        plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        foreach (string broken in new[] { TestPlugins.EchoClone, TestPlugins.ThrowsInConstructor, TestPlugins.ThrowsInConfigure, TestPlugins.NoEntry, TestPlugins.TwoEntries, TestPlugins.FutureContract })
        {
            plugins.Install(broken, folder.Path);
        }

        string notDotNet = Path.Combine(folder.Path, "NotDotNet", "NotDotNet.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(notDotNet)!);
        File.WriteAllText(notDotNet, "this is not an assembly");
        string empty = Path.Combine(folder.Path, "Empty");
        Directory.CreateDirectory(empty);
        string Dll(string name) => Path.Combine(folder.Path, name, name + ".dll");

        using var manager = folder.CreateManager();
        var log = new ListLogger();
        manager.Reload();
        manager.UseLogger(log);
        var catalog = manager.Reload();

        catalog.Plugins.Select(p => p.Name).ShouldBe(["Echo", TestPlugins.EchoClone]);
        catalog.FindKind("echo")!.Plugin!.Name.ShouldBe("Echo");
        var reasons = catalog.Failures.ToDictionary(f => f.Path, f => f.Reason);
        reasons.Count.ShouldBe(catalog.Failures.Length, "one failure per path");
        reasons.Keys.ShouldBe(
            [empty, Dll(TestPlugins.EchoClone), Dll(TestPlugins.FutureContract), Dll(TestPlugins.NoEntry), notDotNet, Dll(TestPlugins.ThrowsInConfigure), Dll(TestPlugins.ThrowsInConstructor), Dll(TestPlugins.TwoEntries)],
            ignoreOrder: true);
        reasons[empty].ShouldContain("no Empty.dll");
        reasons[notDotNet].ShouldContain("not a .NET assembly");
        reasons[Dll(TestPlugins.ThrowsInConstructor)].ShouldContain("constructor boom");
        reasons[Dll(TestPlugins.ThrowsInConfigure)].ShouldContain("Configure threw InvalidOperationException: configure boom");
        reasons[Dll(TestPlugins.NoEntry)].ShouldContain("no class implements IAnyClaudePlugin");
        reasons[Dll(TestPlugins.TwoEntries)].ShouldContain("2 classes implement IAnyClaudePlugin");
        reasons[Dll(TestPlugins.FutureContract)].ShouldContain("built against AnyClaude.Abstractions 2.0.0");
        reasons[Dll(TestPlugins.EchoClone)].ShouldContain("backend kind 'echo'");
        reasons[Dll(TestPlugins.EchoClone)].ShouldContain("already provided by plugin 'Echo'");

        // Logged once each: the second reload changed nothing and repeated nothing.
        foreach (var failure in catalog.Failures)
        {
            log.Lines.Count(l => l.Contains(failure.Path + " was not loaded", StringComparison.Ordinal)).ShouldBe(1, failure.Path);
        }

        await using var proxy = await PluginProxy.StartAsync(manager, "echo");
        var (status, body) = await proxy.AskAsync();
        status.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("[echo v1]");
    }

    [Fact]
    public void A_missing_plugins_folder_given_explicitly_is_one_failure_and_the_builtin_kind_remains()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"anyclaude-no-such-folder-{Guid.NewGuid():N}");
        using var manager = new PluginManager(PluginManager.DirectoriesFor(missing, Path.GetTempPath()));

        var catalog = manager.Reload();

        catalog.Failures.ShouldHaveSingleItem().ShouldBe(new PluginFailure(missing, "the plugins folder does not exist"));
        catalog.Plugins.ShouldBeEmpty();
        catalog.BackendKinds.Select(k => k.Kind).ShouldBe(["openai"]);
    }

    [Fact]
    public async Task Anyclaude_plugins_lists_what_loaded_and_what_failed_and_exits_0()
    {
        using var folder = new TempPluginsFolder();
        plugins.Install(TestPlugins.EchoV2, folder.Path, "Echo");
        plugins.Install(TestPlugins.NoEntry, folder.Path);
        string anyclaude = Path.Combine(RepositoryPaths.HostOutput, "anyclaude.dll");
        File.WriteAllText(Path.Combine(folder.Root, "anyclaude.json"), """
            {"mode": "e1", "backends": {"e1": {"kind": "echo", "url": "http://127.0.0.1:9/v1"}}}
            """);
        string scripts = Directory.CreateDirectory(Path.Combine(folder.Root, "scripts")).FullName;
        File.WriteAllText(Path.Combine(scripts, "10-mark.csx"), "Request.Model = Request.Model;\n");

        var (exitCode, output) = await DotNet.RunAsync(folder.Root, TimeSpan.FromMinutes(1), anyclaude, "plugins", "--plugins", folder.Path, "--scripts", scripts);

        exitCode.ShouldBe(0, output);
        output.ShouldContain($"Echo  2.0.0    {Path.Combine(folder.Path, "Echo", "Echo.dll")}");
        output.ShouldContain("echo    Echo");
        output.ShouldContain("openai  (built in)");
        output.ShouldContain("echo-mark  Echo");
        output.ShouldContain("Failed (1):");
        output.ShouldContain(Path.Combine(folder.Path, TestPlugins.NoEntry, TestPlugins.NoEntry + ".dll"));
        output.ShouldContain("no class implements IAnyClaudePlugin");
        output.ShouldContain("Request pipelines (mode: e1):");
        output.ShouldContain("  e1: strip-billing-header (built-in) -> drop-cache-control (built-in) -> clean-schema (built-in) -> clamp-max-tokens (built-in) -> echo-mark (plugin) -> 10-mark.csx (script)");
    }

    [Fact]
    public void A_plugin_whose_response_step_cannot_be_built_is_reported_and_the_rest_load()
    {
        using var folder = new TempPluginsFolder();
        plugins.Install(TestPlugins.EchoV1, folder.Path, "Echo");
        plugins.Install(TestPlugins.ResponseStepThrows, folder.Path);
        string broken = Path.Combine(folder.Path, TestPlugins.ResponseStepThrows, TestPlugins.ResponseStepThrows + ".dll");

        using var manager = folder.CreateManager();
        var catalog = manager.Reload();

        catalog.Plugins.Select(p => p.Name).ShouldBe(["Echo"]);
        catalog.Failures.ShouldHaveSingleItem().Path.ShouldBe(broken);
        catalog.Failures[0].Reason.ShouldContain("step boom");
        // What the proxy builds at start from the catalog no longer meets the step's constructor.
        Should.NotThrow(() => AnyClaude.Host.Pipelines.ResponseCatalog.For(catalog));
    }
}
