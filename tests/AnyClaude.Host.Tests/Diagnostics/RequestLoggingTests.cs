using System.Net;
using System.Text;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Diagnostics;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>
/// Serilog.AspNetCore's request log (a line per HTTP request from debug level 1, with the request id the summary line
/// carries, never the query) and a <c>Serilog</c> section in the configuration files overriding levels and adding sinks.
/// </summary>
public sealed class RequestLoggingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-requestlog-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(string Log, string RequestId)> ServeOneAsync(int debug, Microsoft.Extensions.Configuration.IConfiguration? settings = null)
    {
        string logFile = Path.Combine(_directory, "logs", "anyclaude.log");
        string requestId;
        using (var logger = Logging.CreateSerilogLogger(debug, logFile, settings))
        {
            await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { Debug = debug }, logging: logging => logging.AddProxyLogger(logger));
            proxy.Fake.Enqueue(ScriptedResponse.Text("Hello."));
            using var content = new StringContent(ProxyHarness.SimpleBody(stream: true), Encoding.UTF8, "application/json");
            using var response = await proxy.Http.PostAsync("/v1/messages?beta=true", content);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await response.Content.ReadAsStringAsync();
            requestId = response.Headers.GetValues("request-id").Single();
        }

        string log = string.Concat(Directory.GetFiles(Path.GetDirectoryName(logFile)!).Select(File.ReadAllText));
        return (log, requestId);
    }

    [Fact]
    public async Task At_debug_1_each_request_gets_a_request_log_line_with_its_id_beside_the_summary_line()
    {
        var (log, requestId) = await ServeOneAsync(debug: 1);

        log.ShouldContain($"INF {requestId} HTTP POST /v1/messages responded 200 in ");
        log.ShouldContain($"INF {requestId} mlx-lm "); // RequestObserver's summary line is unchanged
        log.ShouldNotContain("beta=true");
    }

    [Fact]
    public async Task A_client_that_leaves_mid_stream_is_logged_as_499_by_both_lines_and_never_as_200()
    {
        string logFile = Path.Combine(_directory, "logs", "anyclaude.log");
        string requestId;
        using (var logger = Logging.CreateSerilogLogger(1, logFile, null))
        {
            await using var proxy = await ProxyHarness.StartAsync(ServerFlavor.MlxLm, configure: o => o with { Debug = 1 }, logging: logging => logging.AddProxyLogger(logger));
            proxy.Fake.Enqueue(ScriptedResponse.Text("Never read.").WithPrefillDelay(TimeSpan.FromMinutes(5)));
            using var leave = new CancellationTokenSource();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent(ProxyHarness.SimpleBody(stream: true), Encoding.UTF8, "application/json") };
            using (var response = await proxy.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                requestId = response.Headers.GetValues("request-id").Single();
            }

            await proxy.Fake.WaitForAbortedStreamsAsync(1, TimeSpan.FromSeconds(30));
        }

        string log = string.Concat(Directory.GetFiles(Path.GetDirectoryName(logFile)!).Select(File.ReadAllText));
        log.ShouldContain($"{requestId} mlx-lm claude-sonnet-4-5 stream 499 after ");
        log.ShouldContain($"{requestId} HTTP POST /v1/messages responded 499 in ");
        log.ShouldNotContain($"{requestId} HTTP POST /v1/messages responded 200");
    }

    [Fact]
    public async Task At_debug_0_there_is_no_request_log()
    {
        var (log, _) = await ServeOneAsync(debug: 0);

        log.ShouldNotContain("HTTP POST");
        log.ShouldNotContain("responded");
    }

    [Fact]
    public async Task A_Serilog_section_in_a_config_file_overrides_the_level_and_adds_a_sink()
    {
        string extraLog = Path.Combine(_directory, "extra.log");
        string configFile = Path.Combine(_directory, "anyclaude.json");
        await File.WriteAllTextAsync(configFile, $$"""
            {
              "Serilog": {
                "MinimumLevel": { "Default": "Information" },
                "WriteTo": [ { "Name": "File", "Args": { "path": "{{extraLog.Replace("\\", "\\\\")}}", "outputTemplate": "{Message:lj}{NewLine}" } } ]
              }
            }
            """);
        var loaded = ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);
        loaded.Errors.ShouldBeEmpty();

        // Debug 0 alone logs warnings only; the section lowers the level to Information.
        var (log, requestId) = await ServeOneAsync(debug: 0, loaded.Settings);

        log.ShouldContain($"INF {requestId} mlx-lm ");
        (await File.ReadAllTextAsync(extraLog)).ShouldContain($"{requestId} mlx-lm ");
    }

    [Fact]
    public void A_Serilog_section_Serilog_cannot_apply_is_one_configuration_error_naming_it()
    {
        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), """{ "Serilog": { "MinimumLevel": { "Default": "Loud" } } }""");
        var loaded = ConfigurationLoader.Load(new CommandLineSettings(), ProxyHarness.Factories, new Dictionary<string, string?>(), _directory);

        var error = Should.Throw<InvalidDataException>(() => Logging.CreateSerilogLogger(1, null, loaded.Settings));

        error.Message.ShouldBe("Serilog: The value Loud is not a valid Serilog level.");
    }
}
