using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Pipelines;
using AnyClaude.Host.Scripting;
using AnyClaude.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Tests.Scripting;

/// <summary>Scripts compiled from a folder and run by the real proxy; the fake backend records what they did.</summary>
public sealed class ScriptBehaviourTests : IDisposable
{
    private readonly ScriptFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Task<ProxyHarness> StartAsync(
        ScriptSet scripts,
        ServerFlavor flavor = ServerFlavor.MlxLm,
        ListLoggerProvider? logs = null,
        Func<BackendOptions, BackendOptions>? configureBackend = null) =>
        ProxyHarness.StartAsync(
            flavor,
            configureBackend: configureBackend,
            transforms: new TransformCatalog([], scripts),
            logging: logs is null ? null : b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));

    private static async Task<(HttpResponseMessage Response, string Body)> SendAsync(ProxyHarness proxy, string body)
    {
        var response = await proxy.PostMessagesAsync(body);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_script_edits_model_max_tokens_system_messages_and_tools_and_the_backend_receives_the_edits()
    {
        _folder.Write("edit.csx", """
            Request.Model = "model-from-script";
            Request.MaxTokens = 123;
            Request.System = [new TextBlock("SYSTEM FROM SCRIPT")];
            var last = (TextBlock)Request.Messages[^1].Content[^1];
            last.Text += " (edited by script)";
            Request.Tools!.RemoveAll(t => t.Name == "Read");
            Request.Tools.Add(new Tool { Name = "ScriptTool", Description = "added", InputSchema = JsonDocument.Parse("{\"type\":\"object\"}").RootElement });
            """);
        var scripts = _folder.Load();
        scripts.Errors.ShouldBeEmpty();
        await using var proxy = await StartAsync(scripts);
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        var (response, body) = await SendAsync(proxy, new ClaudeCodeConversation("Write hello.txt", midConversationSystem: false).Body(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using (var answer = JsonDocument.Parse(body))
        {
            answer.RootElement.GetProperty("model").GetString().ShouldBe("model-from-script");
        }

        var upstream = proxy.Fake.LastChatRequest;
        using var json = upstream.Json();
        var root = json.RootElement;
        root.GetProperty("max_completion_tokens").GetInt32().ShouldBe(123);
        var messages = root.GetProperty("messages").EnumerateArray().ToList();
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[0].GetRawText().ShouldContain("SYSTEM FROM SCRIPT");
        upstream.BodyText.ShouldNotContain(ClaudeCodeConversation.MainPromptText);
        messages[^1].GetRawText().ShouldContain("Write hello.txt (edited by script)");
        root.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString())
            .ShouldBe(["Write", "WebFetch", "ScriptTool"]);
    }

    [Fact]
    public async Task A_script_reads_the_backends_name_and_capabilities_and_logs_through_Log()
    {
        _folder.Write("info.csx", """
            Log.LogInformation("backend {Name} tools={Tools} max={Max}", Backend.Name, Backend.Capabilities.Tools, Backend.Capabilities.MaxOutputTokens);
            Request.System ??= new List<TextBlock>();
            Request.System.Add(new TextBlock($"backend={Backend.Name} kind={Backend.Kind} tools={Backend.Capabilities.Tools} max={Backend.Capabilities.MaxOutputTokens}"));
            """);
        var logs = new ListLoggerProvider();
        await using var proxy = await StartAsync(_folder.Load(), ServerFlavor.LmStudio, logs, b => b with { MaxOutputTokens = 777, SupportsTools = false });
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));

        var (response, body) = await SendAsync(proxy, ProxyHarness.SimpleBody(stream: false));

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        proxy.Fake.LastChatRequest.BodyText.ShouldContain("backend=lmstudio kind=lmstudio tools=False max=777");
        logs.Lines.ShouldContain("Information AnyClaude.Scripts.info.csx: backend lmstudio tools=False max=777");
    }

    [Fact]
    public async Task A_backends_directive_limits_a_script_to_the_named_backends_and_scripts_run_in_file_name_order()
    {
        _folder.Write("b-everywhere.csx", """
            (Request.System ??= new()).Add(new TextBlock("MARK-EVERYWHERE"));
            """);
        _folder.Write("a-lmstudio-only.csx", """
            // Only for LM Studio.
            // backends: lmstudio, llama
            (Request.System ??= new()).Add(new TextBlock("MARK-LMSTUDIO-ONLY"));
            """);
        var scripts = _folder.Load();
        scripts.Scripts.Select(s => s.Name).ShouldBe(["a-lmstudio-only.csx", "b-everywhere.csx"]);

        await using (var mlx = await StartAsync(scripts, ServerFlavor.MlxLm))
        {
            mlx.Fake.Enqueue(ScriptedResponse.Text("ok"));
            (await SendAsync(mlx, ProxyHarness.SimpleBody(stream: false))).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
            string upstream = mlx.Fake.LastChatRequest.BodyText;
            upstream.ShouldContain("MARK-EVERYWHERE");
            upstream.ShouldNotContain("MARK-LMSTUDIO-ONLY");
        }

        await using var lms = await StartAsync(scripts, ServerFlavor.LmStudio);
        lms.Fake.Enqueue(ScriptedResponse.Text("ok"));
        (await SendAsync(lms, ProxyHarness.SimpleBody(stream: false))).Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        string both = lms.Fake.LastChatRequest.BodyText;
        both.IndexOf("MARK-LMSTUDIO-ONLY", StringComparison.Ordinal).ShouldBeGreaterThanOrEqualTo(0, both);
        both.IndexOf("MARK-LMSTUDIO-ONLY", StringComparison.Ordinal).ShouldBeLessThan(both.IndexOf("MARK-EVERYWHERE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_compile_error_is_reported_as_file_line_col_error_CS_and_that_script_is_left_out_while_the_proxy_serves()
    {
        string broken = _folder.Write("broken.csx", """
            // a typo on line 3
            Request.MaxTokens = 5;
            Request.Modle = "x";
            """);
        _folder.Write("good.csx", """
            (Request.System ??= new()).Add(new TextBlock("GOOD RAN"));
            """);

        var scripts = _folder.Load();

        scripts.Errors.ShouldHaveSingleItem().ShouldMatch($"^{Regex.Escape(broken)}\\(3,9\\): error CS1061: .*'Modle'");
        scripts.Scripts.Single(s => s.Name == "broken.csx").Compiled.ShouldBeFalse();
        await using var proxy = await StartAsync(scripts);
        proxy.App.Services.GetRequiredService<RequestPipelines>().Describe()[0].Steps.Select(s => s.Name).ShouldNotContain("broken.csx");
        proxy.Fake.Enqueue(ScriptedResponse.Text("ok"));
        var (response, body) = await SendAsync(proxy, ProxyHarness.SimpleBody(stream: false, maxTokens: 300));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        string upstream = proxy.Fake.LastChatRequest.BodyText;
        upstream.ShouldContain("GOOD RAN");
        upstream.ShouldContain("\"max_completion_tokens\":300");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_throwing_script_fails_the_request_with_an_error_naming_it_and_the_next_request_works(bool stream)
    {
        _folder.Write("thrower.csx", """
            if (Request.Messages.SelectMany(m => m.Content).OfType<TextBlock>().Any(t => t.Text.Contains("boom")))
            {
                throw new InvalidOperationException("boom requested");
            }
            """);
        await using var proxy = await StartAsync(_folder.Load());

        var (response, _) = await SendAsync(proxy, ProxyHarness.SimpleBody(stream, text: "please boom"));

        response.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        response.Headers.GetValues("x-should-retry").ShouldBe(["false"]);
        var (type, message) = await ErrorBodies.ReadAsync(response);
        type.ShouldBe("api_error");
        message.ShouldContain("script 'thrower.csx' failed: InvalidOperationException: boom requested");
        proxy.Fake.ChatRequests.ShouldBeEmpty();
        await proxy.AssertStillServingAsync();
    }
}
