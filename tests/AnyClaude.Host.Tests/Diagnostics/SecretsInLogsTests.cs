using System.Net;
using System.Text;
using AnyClaude.Host.Diagnostics;
using AnyClaude.TestSupport;
using Serilog;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>
/// A whole debug-level-3 session with secrets everywhere they can appear (the backend's key, the proxy's access
/// key, client headers, a wrong key, a backend that echoes its key in an error): none of them is in the log file
/// or in any trace file, and the trace folder and files are the owner's only.
/// </summary>
public sealed class SecretsInLogsTests
{
    private const string BackendKey = "sk-backend-SECRET-aaaa1111";
    private const string AccessKey = "sk-proxy-SECRET-bbbb2222";
    private const string WrongKey = "sk-wrong-SECRET-cccc3333";
    private const string Cookie = "session=SECRET-dddd4444";

    [Fact]
    public async Task No_secret_reaches_the_logs_or_the_traces_at_debug_level_3()
    {
        var folder = Directory.CreateTempSubdirectory("anyclaude-secrets-");
        string traces = Path.Combine(folder.FullName, "traces");
        string logFile = Path.Combine(folder.FullName, "logs", "anyclaude.log");
        try
        {
            using (var logger = Logging.CreateSerilogLogger(3, logFile))
            {
                await using var proxy = await ProxyHarness.StartAsync(
                    ServerFlavor.MlxLm,
                    configure: o => o with { Debug = 3, TraceDirectory = traces, ApiKey = AccessKey },
                    configureBackend: b => b with { ApiKey = BackendKey },
                    logging: logging => logging.AddProxyLogger(logger));

                proxy.Fake.Enqueue(
                    ScriptedResponse.Text("Streamed answer."),
                    ScriptedResponse.Text("Plain answer."),
                    ScriptedResponse.Error(401, $$"""{"error":"invalid api key '{{BackendKey}}'"}"""),
                    ScriptedResponse.Text("cut").BreakAfterChunks(1));

                await SendAsync(proxy, "/v1/messages?beta=true", ProxyHarness.SimpleBody(stream: true), apiKey: AccessKey, expected: HttpStatusCode.OK);
                await SendAsync(proxy, "/v1/messages", ProxyHarness.SimpleBody(stream: false), bearer: AccessKey, expected: HttpStatusCode.OK);
                await SendAsync(proxy, "/v1/messages", ProxyHarness.SimpleBody(stream: false), apiKey: AccessKey, expected: HttpStatusCode.BadGateway, mustNotEcho: BackendKey);
                await SendAsync(proxy, "/v1/messages", ProxyHarness.SimpleBody(stream: true), bearer: AccessKey, expected: HttpStatusCode.OK);
                await SendAsync(proxy, "/v1/messages/count_tokens", ProxyHarness.SimpleBody(stream: false), apiKey: AccessKey, expected: HttpStatusCode.OK);
                await SendAsync(proxy, "/v1/messages", ProxyHarness.SimpleBody(stream: true), apiKey: WrongKey, expected: HttpStatusCode.Unauthorized);
                await SendAsync(proxy, "/v1/messages", ProxyHarness.SimpleBody(stream: true), bearer: WrongKey, expected: HttpStatusCode.Unauthorized);
                await SendAsync(proxy, "/v1/messages", """{"model": 1}""", apiKey: AccessKey, expected: HttpStatusCode.BadRequest);
                proxy.Fake.ChatRequests.ShouldAllBe(r => r.Header("Authorization") == "Bearer " + BackendKey);
            }

            // The file sink rolls daily: anyclaude20260101.log and so on.
            string log = string.Concat(await Task.WhenAll(Directory.GetFiles(Path.GetDirectoryName(logFile)!).Select(f => File.ReadAllTextAsync(f))));
            log.ShouldContain("stream"); // the request lines are there
            log.ShouldContain("HTTP POST /v1/messages responded 401"); // and the request log's, for the wrong keys too
            var traceFiles = Directory.GetFiles(traces);
            traceFiles.Length.ShouldBe(4); // one per authorized /v1/messages request that got past validation
            var everything = new StringBuilder(log);
            foreach (var trace in traceFiles)
            {
                everything.Append(await File.ReadAllTextAsync(trace));
                if (!OperatingSystem.IsWindows())
                {
                    File.GetUnixFileMode(trace).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }

            string all = everything.ToString();
            all.ShouldContain("upstream-request");
            foreach (var secret in (string[])[BackendKey, AccessKey, WrongKey, Cookie, "SECRET"])
            {
                all.ShouldNotContain(secret, Case.Sensitive, $"'{secret}' was written to a log or trace");
            }

            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(traces).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                File.GetUnixFileMode(Path.GetDirectoryName(logFile)!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task SendAsync(ProxyHarness proxy, string path, string body, HttpStatusCode expected, string? apiKey = null, string? bearer = null, string? mustNotEcho = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        request.Headers.TryAddWithoutValidation("Cookie", Cookie);
        request.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic " + WrongKey);
        using var response = await proxy.Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(expected, text);
        if (mustNotEcho is not null)
        {
            text.ShouldNotContain(mustNotEcho);
            text.ShouldContain("[redacted]");
        }
    }
}
