using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Security;

/// <summary>
/// How a browser reaches the dashboard when the proxy has an access key (a browser cannot send <c>x-api-key</c>):
/// <c>anyclaude ui</c> asks <c>POST /admin/ui-token</c> (with the key) for a one-time link token; opening
/// <c>/ui?token=…</c> spends it for a session cookie (HttpOnly, SameSite=Strict, path <c>/ui</c>), which then admits
/// the page, its files, its event stream and its switch. Only hashes are kept; a token lives <see cref="TokenLifetime"/>,
/// a session <see cref="SessionLifetime"/>, and both end with the process.
/// </summary>
internal sealed class DashboardAccess(TimeProvider time)
{
    public const string CookieName = "anyclaude_ui";

    public static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private const int MaxEntries = 64;

    private static readonly object AdmittedKey = new();

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);

    /// <summary>A fresh one-time token for a dashboard link.</summary>
    public string IssueToken() => Issue(_tokens, TokenLifetime);

    /// <summary>Spends <paramref name="token"/> (once: a second use fails) for a new session value; null when it is wrong, used or expired.</summary>
    public string? Redeem(string token)
    {
        if (!_tokens.TryRemove(Hash(token), out var expires) || expires <= time.GetUtcNow())
        {
            return null;
        }

        return Issue(_sessions, SessionLifetime);
    }

    public bool IsSession(string? value) =>
        !string.IsNullOrEmpty(value) && _sessions.TryGetValue(Hash(value), out var expires) && expires > time.GetUtcNow();

    /// <summary>Marks the request as let in by a dashboard session (<see cref="AccessKeyMiddleware"/> asks).</summary>
    public static void Admit(HttpContext context) => context.Items[AdmittedKey] = true;

    public static bool IsAdmitted(HttpContext context) => context.Items.ContainsKey(AdmittedKey);

    private string Issue(ConcurrentDictionary<string, DateTimeOffset> store, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        foreach (var (hash, expires) in store)
        {
            if (expires <= now)
            {
                store.TryRemove(hash, out _);
            }
        }

        // Bounded: past the limit the oldest go (a flood of link requests cannot grow the store).
        foreach (var (hash, _) in store.OrderBy(pair => pair.Value).Take(Math.Max(0, store.Count - MaxEntries + 1)))
        {
            store.TryRemove(hash, out _);
        }

        string value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        store[Hash(value)] = now + lifetime;
        return value;
    }

    // The values are 256 random bits: a plain dictionary lookup of their hash leaks nothing worth timing.
    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));
}
