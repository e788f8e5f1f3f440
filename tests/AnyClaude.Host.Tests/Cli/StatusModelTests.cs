using System.Net;
using System.Text.Json;
using AnyClaude.Host.Admin;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Tests.Routing;
using AnyClaude.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AnyClaude.Host.Tests.Cli;

/// <summary>
/// <c>/admin/status</c> as one typed model (<see cref="ProxyStatus"/>): what the proxy writes reads back whole, a status
/// from an earlier proxy reads with its defaults, and one that is not a status is a line naming the proxy, not a crash.
/// </summary>
public sealed class StatusModelTests
{
    [Fact]
    public async Task What_the_proxy_writes_reads_back_to_the_same_json()
    {
        await using var proxy = await MultiBackendProxy.StartAsync("a", ["a", "b"]);
        proxy["a"].RespondWith(_ => ScriptedResponse.Text("cached answer").WithUsage(promptTokens: 100, completionTokens: 10, cachedTokens: 80));
        using (var answer = await proxy.PostAsync(MultiBackendProxy.Simple(stream: true)))
        {
            answer.EnsureSuccessStatusCode();
            await answer.Content.ReadAsStringAsync();
        }

        using var response = await proxy.Http.GetAsync("/admin/status");
        string sent = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(sent);

        var status = ProxyStatus.Read(json.RootElement);

        status.Backends.ShouldNotBeEmpty();
        status.Recent.ShouldNotBeEmpty("the request above is in the status");
        status.Backends[0].Figures!.Last.ShouldNotBeNull();
        status.Conversations.ShouldNotBeEmpty();
        JsonSerializer.Serialize(status, StatusJson.Default.ProxyStatus).ShouldBe(sent, "every field the proxy sends is in the model");
    }

    [Fact]
    public void A_status_from_a_proxy_before_the_health_field_and_with_fields_this_one_does_not_know_reads()
    {
        using var json = JsonDocument.Parse("""
            {"mode":"mlx-lm","routes":[],"backends":[{"name":"mlx-lm","kind":"mlx-lm","url":"http://127.0.0.1:8081/v1","healthy":true,"inFlight":0,"failures":0,"fallback":[],"future":{"x":1}}],
             "recent":[],"newerList":[1,2]}
            """);

        var status = ProxyStatus.Read(json.RootElement);

        status.Backends.ShouldHaveSingleItem().HealthName.ShouldBe("up");
        status.Servers.ShouldBeEmpty();
        status.Conversations.ShouldBeEmpty();
        ControlCommands.FormatStatus(status).ShouldContain("mlx-lm           mlx-lm     http://127.0.0.1:8081/v1         no recent failures; in flight 0; window unknown");
    }

    [Fact]
    public async Task A_status_that_is_not_a_status_is_one_line_naming_the_proxy()
    {
        await using var app = await NotAStatusServerAsync("""{"mode":5,"backends":"none"}""");
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        using var output = new StringWriter();
        using var error = new StringWriter();

        int exit = await StatusCommand.RichAsync(address, null, Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(output) }), error, TimeProvider.System);

        exit.ShouldBe(1);
        error.ToString().Trim().ShouldStartWith($"anyclaude: the proxy at {address} answered a status this anyclaude cannot read");
        error.ToString().ShouldNotContain("   at ");

        // The plain-text status (output that is not a terminal) says the same, not that no proxy is running.
        using var plainError = new StringWriter();
        (await ControlCommands.StatusAsync(address, null, TextWriter.Null, plainError)).ShouldBe(1);
        plainError.ToString().Trim().ShouldStartWith($"anyclaude: the proxy at {address} answered a status this anyclaude cannot read");
    }

    private static async Task<WebApplication> NotAStatusServerAsync(string body)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/admin/status", () => Results.Text(body, "application/json"));
        await app.StartAsync();
        return app;
    }
}
