using System.Net;
using AnyClaude.Host.Hosting;
using AnyClaude.Host.Pipelines;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>
/// Issue 24, point 10: scripts are hot-reloaded like plugins and configuration. A new script runs on the next
/// request after it is saved, an edit replaces it, and a script that does not compile is reported while the previous
/// scripts keep serving.
/// </summary>
public sealed class ScriptReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Marker(string text) => $$"""
        var last = (TextBlock)Request.Messages[^1].Content[^1];
        last.Text += " ({{text}})";
        """;

    /// <summary>Sends requests until the backend receives one containing <paramref name="expected"/>; returns the last body it received.</summary>
    private static async Task<string> UpstreamOnceItHasAsync(ProxyHarness proxy, string expected)
    {
        string received = "";
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Patience; await Task.Delay(200))
        {
            proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
            using var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false, text: "hello"));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            received = proxy.Fake.LastChatRequest.BodyText;
            if (received.Contains(expected, StringComparison.Ordinal))
            {
                return received;
            }
        }

        return received;
    }

    [Fact]
    public async Task A_new_script_runs_without_a_restart_an_edit_replaces_it_and_a_broken_one_leaves_the_previous_set_serving()
    {
        var logs = new ListLoggerProvider();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            transforms: new TransformCatalog([], _folder.Load()),
            logging: b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var watcher = new ScriptWatcher(
            [_folder.Scripts],
            _folder.Cache,
            proxy.App.Services.GetRequiredService<RequestPipelines>(),
            () => proxy.Options,
            proxy.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AnyClaude.Scripts"),
            TimeSpan.FromMilliseconds(100));

        _folder.Write("10-mark.csx", Marker("first script"));
        (await UpstreamOnceItHasAsync(proxy, "(first script)")).ShouldContain("hello (first script)");

        _folder.Write("10-mark.csx", Marker("edited script"));
        string edited = await UpstreamOnceItHasAsync(proxy, "(edited script)");
        edited.ShouldContain("hello (edited script)");
        edited.ShouldNotContain("first script");

        _folder.Write("20-broken.csx", "this is not C#");
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Patience && !logs.Lines.Any(l => l.Contains("20-broken.csx", StringComparison.Ordinal)); await Task.Delay(100))
        {
        }

        logs.Lines.ShouldContain(l => l.StartsWith("Warning AnyClaude.Scripts: scripts changed but not applied", StringComparison.Ordinal) && l.Contains("20-broken.csx(", StringComparison.Ordinal) && l.Contains("error CS", StringComparison.Ordinal));
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        using (var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false, text: "hello")))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        proxy.Fake.LastChatRequest.BodyText.ShouldContain("hello (edited script)", customMessage: "the previous scripts keep serving");

        File.Delete(Path.Combine(_folder.Scripts, "20-broken.csx"));
        File.Delete(Path.Combine(_folder.Scripts, "10-mark.csx"));
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Patience && !logs.Lines.Any(l => l.Contains("scripts reloaded: 0", StringComparison.Ordinal)); await Task.Delay(100))
        {
        }

        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        using (var response = await proxy.PostMessagesAsync(ProxyHarness.SimpleBody(stream: false, text: "hello")))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        proxy.Fake.LastChatRequest.BodyText.ShouldNotContain("script)");
    }

    [Fact]
    public async Task Removing_a_script_a_backends_transforms_list_names_is_refused_and_the_script_keeps_running()
    {
        _folder.Write("10-mark.csx", Marker("named script"));
        var logs = new ListLoggerProvider();
        await using var proxy = await ProxyHarness.StartAsync(
            ServerFlavor.MlxLm,
            transforms: new TransformCatalog([], _folder.Load()),
            configureBackend: backend => backend with { Transforms = ["10-mark.csx"] },
            logging: b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var watcher = new ScriptWatcher(
            [_folder.Scripts],
            _folder.Cache,
            proxy.App.Services.GetRequiredService<RequestPipelines>(),
            () => proxy.Options,
            proxy.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AnyClaude.Scripts"),
            TimeSpan.FromMilliseconds(100));

        File.Move(Path.Combine(_folder.Scripts, "10-mark.csx"), Path.Combine(_folder.Root, "moved-away.csx"));
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < Patience && !logs.Lines.Any(l => l.Contains("not applied", StringComparison.Ordinal)); await Task.Delay(100))
        {
        }

        logs.Lines.ShouldContain(l => l.Contains("not applied", StringComparison.Ordinal) && l.Contains("10-mark.csx", StringComparison.Ordinal));
        (await UpstreamOnceItHasAsync(proxy, "(named script)")).ShouldContain("hello (named script)");
    }
}
