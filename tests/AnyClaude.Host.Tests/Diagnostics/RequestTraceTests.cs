using System.Net;
using System.Text;
using AnyClaude.TestSupport;

namespace AnyClaude.Host.Tests.Diagnostics;

/// <summary>Debug level 3 writes full traces: never with the client's or the backend's secrets in them.</summary>
public sealed class RequestTraceTests
{
    [Fact]
    public async Task Traces_hold_no_secrets_and_are_private_and_the_backend_gets_its_key()
    {
        var traces = Directory.CreateTempSubdirectory("anyclaude-traces-");
        try
        {
            await using var proxy = await ProxyHarness.StartAsync(
                ServerFlavor.MlxLm,
                configure: o => o with { Debug = 3, TraceDirectory = traces.FullName },
                configureBackend: b => b with { ApiKey = "sk-backend-789" });
            proxy.Fake.Enqueue(ScriptedResponse.Text("Traced answer."));

            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
            {
                Content = new StringContent(ProxyHarness.SimpleBody(stream: true), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", "sk-secret-123");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-secret-456");
            using var response = await proxy.Http.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).ShouldContain("message_stop");

            proxy.Fake.LastChatRequest.Header("Authorization").ShouldBe("Bearer sk-backend-789");

            // The trace is complete when the request is (just after the response went out).
            string? text = null;
            string? path = null;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                path = Directory.GetFiles(traces.FullName).SingleOrDefault();
                if (path is not null)
                {
                    text = await ReadSharedAsync(path);
                    if (text.Contains("message_stop", StringComparison.Ordinal))
                    {
                        break;
                    }
                }

                await Task.Delay(50);
            }

            text.ShouldNotBeNull("no trace file was written");
            text.ShouldContain("message_stop");
            text.ShouldContain("upstream-request");
            text.ShouldContain("client-request");
            text.ShouldNotContain("sk-secret-123");
            text.ShouldNotContain("sk-secret-456");
            text.ShouldNotContain("sk-backend-789");
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(path!).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        finally
        {
            traces.Delete(recursive: true);
        }
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
