using System.Net;
using System.Text.Json;
using System.Text;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Proxy.Routing;
using AnyClaude.Host.Security;
using AnyClaude.Host.Tests.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using LiveRouting = AnyClaude.Host.Proxy.Routing.LiveRouting;

namespace AnyClaude.Host.Tests.Dashboard;

/// <summary>
/// The dashboard behind an access key: a one-time link from <c>POST /admin/ui-token</c> (what <c>anyclaude ui</c> prints) is
/// traded for an HttpOnly, SameSite=Strict session cookie scoped to <c>/ui</c>; without it everything is 401, a token works
/// once, and the switch takes only same-origin requests.
/// </summary>
public sealed class DashboardAccessTests
{
    private const string Key = "dashboard-access-key-0123456789";

    private static Task<MultiBackendProxy> StartAsync(string? key = Key) =>
        MultiBackendProxy.StartAsync("alpha", ["alpha", "beta"], configure: o => o with { ApiKey = key });

    /// <summary>A client that neither follows redirects nor keeps cookies: each test says what it sends.</summary>
    private static HttpClient Bare(MultiBackendProxy proxy) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false }) { BaseAddress = proxy.Http.BaseAddress };

    private static async Task<string> LinkAsync(HttpClient http, string key = Key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/ui-token");
        request.Headers.Add("x-api-key", key);
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("path").GetString()!;
    }

    /// <summary>Spends a fresh link; the session cookie as <c>name=value</c>.</summary>
    private static async Task<string> SessionAsync(HttpClient http)
    {
        using var response = await http.GetAsync(await LinkAsync(http));
        response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static HttpRequestMessage Get(string path, string? cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return request;
    }

    private static HttpRequestMessage SwitchTo(string backend, string path = "/ui/mode", string? cookie = null, string? origin = null, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent($$"""{"mode":"{{backend}}"}""", Encoding.UTF8, "application/json") };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        return request;
    }

    private static string OwnOrigin(MultiBackendProxy proxy) => proxy.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task With_a_key_the_page_its_files_its_stream_and_its_switch_are_401_without_a_session()
    {
        await using var proxy = await StartAsync();
        using var http = Bare(proxy);
        foreach (string path in new[] { "/ui", "/ui/dashboard.js", "/ui/events" })
        {
            using var response = await http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            (await ErrorBodies.ReadAsync(response)).Type.ShouldBe("authentication_error");
        }

        using (var forged = await http.SendAsync(Get("/ui", $"{DashboardAccess.CookieName}=made-up-session")))
        {
            forged.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var switched = await http.SendAsync(SwitchTo("beta", origin: OwnOrigin(proxy))))
        {
            switched.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        proxy.App.Services.GetRequiredService<LiveRouting>().Current.Mode.ShouldBe("alpha");
    }

    [Fact]
    public async Task The_link_sets_an_HttpOnly_SameSite_Strict_cookie_for_ui_only_and_redirects_to_the_clean_address()
    {
        await using var proxy = await StartAsync();
        using var http = Bare(proxy);
        string link = await LinkAsync(http);
        link.ShouldStartWith("/ui?token=");
        link.ShouldNotContain(Key);

        using var exchanged = await http.GetAsync(link);
        exchanged.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        exchanged.Headers.Location!.OriginalString.ShouldBe("/ui");
        exchanged.Headers.CacheControl!.NoStore.ShouldBeTrue();
        string setCookie = exchanged.Headers.GetValues("Set-Cookie").Single();
        setCookie.ShouldStartWith($"{DashboardAccess.CookieName}=");
        setCookie.ShouldContain("path=/ui", Case.Insensitive);
        setCookie.ShouldContain("httponly", Case.Insensitive);
        setCookie.ShouldContain("samesite=strict", Case.Insensitive);
        setCookie.ShouldNotContain(link["/ui?token=".Length..]);
        string cookie = setCookie.Split(';')[0];

        foreach (var (path, type) in new[] { ("/ui", "text/html"), ("/ui/dashboard.js", "text/javascript") })
        {
            using var response = await http.SendAsync(Get(path, cookie));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe(type);
        }

        using (var events = await http.SendAsync(Get("/ui/events", cookie), HttpCompletionOption.ResponseHeadersRead))
        {
            events.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
            (await reader.ReadLineAsync()).ShouldBe("event: snapshot");
        }

        // The cookie opens the dashboard, nothing else: the API and the admin endpoints still want the key.
        foreach (string path in new[] { "/v1/models", "/admin/status", "/health/ready" })
        {
            using var response = await http.SendAsync(Get(path, cookie));
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
        }
    }

    [Fact]
    public async Task A_used_or_wrong_token_is_refused_and_sets_no_cookie()
    {
        await using var proxy = await StartAsync();
        using var http = Bare(proxy);
        string link = await LinkAsync(http);
        using (var first = await http.GetAsync(link))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        }

        string other = await LinkAsync(http);
        foreach (string path in new[] { link, other + "x", other[..^1], "/ui?token=", "/ui?token=" + Key })
        {
            using var response = await http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
            response.Headers.Contains("Set-Cookie").ShouldBeFalse(path);
            var (type, message) = await ErrorBodies.ReadAsync(response);
            type.ShouldBe("authentication_error");
            message.ShouldContain("anyclaude ui");
        }

        // The untouched link still works: a near miss did not spend it.
        using var good = await http.GetAsync(other);
        good.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
    }

    [Fact]
    public async Task Only_the_key_mints_a_link()
    {
        await using var proxy = await StartAsync();
        using var http = Bare(proxy);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/ui-token");
        request.Headers.Add("x-api-key", "wrong");
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        string cookie = await SessionAsync(http);
        using var withCookie = new HttpRequestMessage(HttpMethod.Post, "/admin/ui-token");
        withCookie.Headers.Add("Cookie", cookie);
        using var refused = await http.SendAsync(withCookie);
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_switch_takes_only_requests_from_the_page_s_own_origin()
    {
        await using var proxy = await StartAsync();
        using var http = Bare(proxy);
        string cookie = await SessionAsync(http);
        var port = proxy.Http.BaseAddress!.Port;
        foreach (string? origin in new[] { "http://evil.example", $"http://127.0.0.1:{port + 1}", $"https://127.0.0.1:{port}", $"http://evil.example:{port}", "null", null })
        {
            using var response = await http.SendAsync(SwitchTo("beta", cookie: cookie, origin: origin));
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, origin ?? "(no Origin)");
            (await ErrorBodies.ReadAsync(response)).Type.ShouldBe("permission_error");
        }

        var routing = proxy.App.Services.GetRequiredService<LiveRouting>();
        routing.Current.Mode.ShouldBe("alpha");

        using (var own = await http.SendAsync(SwitchTo("beta", cookie: cookie, origin: OwnOrigin(proxy))))
        {
            own.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        routing.Current.Mode.ShouldBe("beta");

        // The CLI's endpoint: the key and no Origin is served; a web page's cross-origin request is refused, key or not.
        using (var foreign = await http.SendAsync(SwitchTo("alpha", path: "/admin/mode", origin: "http://evil.example", key: Key)))
        {
            foreign.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        routing.Current.Mode.ShouldBe("beta");
        using (var cli = await http.SendAsync(SwitchTo("alpha", path: "/admin/mode", key: Key)))
        {
            cli.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        routing.Current.Mode.ShouldBe("alpha");
    }

    [Fact]
    public async Task Without_a_key_the_page_is_open_on_loopback_but_the_switch_still_refuses_other_origins()
    {
        await using var proxy = await StartAsync(key: null);
        using var http = Bare(proxy);
        (await LinkAsync(http)).ShouldBe("/ui");
        using (var page = await http.GetAsync("/ui"))
        {
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // A page elsewhere cannot drive the proxy through the browser: neither the dashboard's switch nor the admin one.
        foreach (string path in new[] { "/ui/mode", "/admin/mode" })
        {
            using var response = await http.SendAsync(SwitchTo("beta", path: path, origin: "http://localhost:3000"));
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, path);
        }

        using (var own = await http.SendAsync(SwitchTo("beta", origin: OwnOrigin(proxy))))
        {
            own.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        proxy.App.Services.GetRequiredService<LiveRouting>().Current.Mode.ShouldBe("beta");
    }

    [Fact]
    public async Task Anyclaude_ui_prints_a_one_time_link_with_the_key_and_says_why_without_it()
    {
        await using var proxy = await StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();
        (await UiCommand.RunAsync(proxy.Http.BaseAddress!, Key, output, error)).ShouldBe(0);
        var link = new Uri(output.ToString().Trim());
        link.GetLeftPart(UriPartial.Path).ShouldBe(new Uri(proxy.Http.BaseAddress!, "/ui").AbsoluteUri);
        link.Query.ShouldStartWith("?token=");
        error.ToString().ShouldContain("works once");
        using var http = Bare(proxy);
        using (var response = await http.GetAsync(link.PathAndQuery))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.SeeOther);
        }

        var refusedOutput = new StringWriter();
        var refusedError = new StringWriter();
        (await UiCommand.RunAsync(proxy.Http.BaseAddress!, apiKey: null, refusedOutput, refusedError)).ShouldBe(1);
        refusedOutput.ToString().ShouldBeEmpty();
        refusedError.ToString().ShouldContain("401");
        refusedError.ToString().ShouldContain("ANYCLAUDE_API_KEY");
    }

    [Fact]
    public void A_token_expires_and_a_session_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var access = new DashboardAccess(time);
        string late = access.IssueToken();
        time.Advance(DashboardAccess.TokenLifetime + TimeSpan.FromSeconds(1));
        access.Redeem(late).ShouldBeNull();

        string session = access.Redeem(access.IssueToken()).ShouldNotBeNull();
        access.IsSession(session).ShouldBeTrue();
        access.IsSession(session + "x").ShouldBeFalse();
        time.Advance(DashboardAccess.SessionLifetime);
        access.IsSession(session).ShouldBeFalse();
    }
}
