using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using AnyClaude.Host.Tests.Plugins;
using AnyClaude.Host.Tests.Scripting;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Docs;

/// <summary>
/// Every C# and JSON sample in docs/*.md, read from the markdown at test time, is compiled or loaded by the host's own
/// code: plugin code (<c>&lt;!-- sample: plugin NAME --&gt;</c>) is built into a real plugin assembly, loaded by the plugin
/// manager and serves a request against a fake server; any other C# block, and every <c>scripts/samples/*.csx</c>, is
/// compiled by the script compiler and applied to a Claude Code request; a JSON block is a configuration file that
/// <see cref="ConfigurationLoader"/> loads without an error or a warning, unless it is marked
/// <c>&lt;!-- sample: partial --&gt;</c> (a fragment) or <c>&lt;!-- sample: output --&gt;</c> (an answer), which only have to parse.
/// </summary>
public sealed class DocSampleTests(HelloPluginBuild plugin) : IClassFixture<HelloPluginBuild>, IDisposable
{
    private static readonly string[] KnownLanguages = ["sh", "console", "xml", "json", "csharp", ""];

    private readonly ScriptFolder _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public void Every_fenced_block_has_a_language_and_mark_these_tests_know()
    {
        var samples = MarkdownSamples.All();
        samples.Count(s => s.Language == "csharp").ShouldBeGreaterThanOrEqualTo(6);
        samples.Count(s => s.Language == "json").ShouldBeGreaterThanOrEqualTo(4);
        foreach (var sample in samples)
        {
            KnownLanguages.ShouldContain(sample.Language, $"{sample}: a fence language these tests do not check");
            bool known = (sample.Language, sample.Mark) switch
            {
                (_, "") => true,
                ("csharp", var mark) => mark.StartsWith("plugin ", StringComparison.Ordinal) || mark.StartsWith("script ", StringComparison.Ordinal),
                ("json", "partial" or "output") => true,
                _ => false,
            };
            known.ShouldBeTrue($"{sample}: a sample mark these tests do not understand");
        }
    }

    [Fact]
    public async Task The_plugin_walk_through_builds_into_a_plugin_that_loads_and_serves_a_request()
    {
        plugin.Catalog.Failures.ShouldBeEmpty();
        var loaded = plugin.Catalog.Plugins.ShouldHaveSingleItem();
        loaded.Name.ShouldBe(HelloPluginBuild.Name);
        plugin.Catalog.BackendKinds.ShouldContain(k => k.Kind == "hello" && k.Plugin == loaded);
        await using var fake = await FakeOpenAIServer.StartAsync(ServerFlavor.Generic);
        fake.Enqueue(ScriptedResponse.Text("hello from the plugin"));
        await using var proxy = await PluginProxy.StartAsync(plugin.Manager, "hello", fake.BaseUrl);

        using var response = await proxy.Http.PostAsync("/v1/messages", new StringContent(new ClaudeCodeConversation("hi").Body(stream: false), Encoding.UTF8, "application/json"));

        string body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldContain("hello from the plugin");
        using var upstream = fake.LastChatRequest.Json();
        // Claude Code asked for 64000; the sample's capabilities say 8192.
        upstream.RootElement.GetProperty("max_tokens").GetInt32().ShouldBe(8192);
    }

    [Fact]
    public async Task The_plugin_walk_through_names_its_start_hint_when_the_server_is_down()
    {
        await using var proxy = await PluginProxy.StartAsync(plugin.Manager, "hello", new Uri($"http://127.0.0.1:{ProxyHarness.ClosedPort()}/v1"));

        var (status, body) = await proxy.AskAsync();

        ((int)status).ShouldBeGreaterThanOrEqualTo(500, body);
        body.ShouldContain("is the hello server running (set HELLO_URL)?");
    }

    [Fact]
    public void The_plugins_listing_in_the_walk_through_is_what_anyclaude_plugins_prints()
    {
        var listing = MarkdownSamples.Of(Path.Combine(MarkdownSamples.DocsDirectory, "writing-a-plugin.md"))
            .Single(s => s.Language == "console" && s.Code.Contains(" plugins --plugins ", StringComparison.Ordinal));
        string[] lines = listing.Code.TrimEnd('\n').Split('\n');
        lines[0].ShouldBe("$ ANYCLAUDE_MODE=hello anyclaude plugins --plugins ~/.anyclaude/plugins");
        using var output = new StringWriter { NewLine = "\n" };

        PluginsCommand.Run(new CommandLineSettings { PluginsDirectory = plugin.PluginsDirectory }, new Dictionary<string, string?> { ["ANYCLAUDE_MODE"] = "hello" }, output);

        string printed = output.ToString().Replace(plugin.PluginsDirectory, "/home/you/.anyclaude/plugins", StringComparison.Ordinal).TrimEnd('\n');
        printed.ShouldBe(string.Join('\n', lines.Skip(1)), $"docs/writing-a-plugin.md's listing differs from what the command prints:\n{printed}");
    }

    [Fact]
    public async Task Every_script_sample_compiles_and_runs_on_a_Claude_Code_request()
    {
        var samples = MarkdownSamples.All().Where(s => s.Language == "csharp" && !s.Mark.StartsWith("plugin ", StringComparison.Ordinal)).ToList();
        var names = new Dictionary<string, string>();
        foreach (var (sample, index) in samples.Select((s, i) => (s, i)))
        {
            string name = sample.Mark.StartsWith("script ", StringComparison.Ordinal) ? sample.Mark["script ".Length..] : $"{index:00}-{Path.GetFileNameWithoutExtension(sample.File)}-{sample.Line}.csx";
            _scripts.Write(name, sample.Code);
            names[name] = sample.ToString();
        }

        foreach (string shipped in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "scripts", "samples"), "*.csx"))
        {
            File.Copy(shipped, Path.Combine(_scripts.Scripts, Path.GetFileName(shipped)));
            names[Path.GetFileName(shipped)] = Path.GetRelativePath(RepositoryPaths.Root, shipped);
        }

        var set = _scripts.Load();

        set.Errors.ShouldBeEmpty();
        set.Scripts.Count.ShouldBe(names.Count);
        foreach (var script in set.Scripts)
        {
            script.Compiled.ShouldBeTrue(names[script.Name]);
            await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, transforms: new TransformCatalog([], new ScriptSet([script], [], [])));
            proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
            using var response = await proxy.PostMessagesAsync(new ClaudeCodeConversation("hi").Body(stream: false));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{names[script.Name]}: {await response.Content.ReadAsStringAsync()}");
            proxy.Fake.ChatRequests.Count.ShouldBe(1, names[script.Name]);
        }
    }

    [Fact]
    public void Every_configuration_sample_loads_without_errors_or_warnings_and_names_known_transforms()
    {
        var samples = MarkdownSamples.All().Where(s => s.Language == "json").ToList();
        // The transforms the docs name: their scripts (the guide's 10-hello.csx, the shipped samples) and the built-ins.
        var helloScript = MarkdownSamples.All().Single(s => s.Mark == "script 10-hello.csx");
        _scripts.Write("10-hello.csx", helloScript.Code);
        foreach (string shipped in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "scripts", "samples"), "*.csx"))
        {
            File.Copy(shipped, Path.Combine(_scripts.Scripts, Path.GetFileName(shipped)));
        }

        var transforms = new TransformCatalog([.. plugin.Catalog.RequestTransforms], _scripts.Load());
        int loaded = 0;
        foreach (var sample in samples)
        {
            var parsed = Should.NotThrow(() => JsonNode.Parse(sample.Code), sample.ToString());
            if (sample.Mark is "partial" or "output")
            {
                continue;
            }

            parsed.ShouldBeOfType<JsonObject>(sample.ToString());
            string file = Path.Combine(_scripts.Root, $"config-{loaded}.json");
            File.WriteAllText(file, sample.Code);
            var result = ConfigurationLoader.Load(new CommandLineSettings { ConfigFile = file }, plugin.Factories, new Dictionary<string, string?>(), _scripts.Root);
            result.Errors.ShouldBeEmpty(sample.ToString());
            result.Warnings.ShouldBeEmpty(sample.ToString());
            transforms.Validate(result.Options.ShouldNotBeNull()).ShouldBeEmpty(sample.ToString());
            loaded++;
        }

        loaded.ShouldBeGreaterThanOrEqualTo(4);
    }
}
