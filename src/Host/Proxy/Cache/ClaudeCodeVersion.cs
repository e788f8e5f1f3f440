using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Cache;

/// <summary>Claude Code's version from its <c>User-Agent: claude-cli/&lt;version&gt; (…)</c>; null for any other client.</summary>
internal static class ClaudeCodeVersion
{
    private const string Product = "claude-cli/";
    private const int LongestVersion = 32;

    public static string? From(IHeaderDictionary headers)
    {
        string? agent = headers.UserAgent.Count == 1 ? headers.UserAgent[0] : null;
        if (agent is null || !agent.StartsWith(Product, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var version = agent.AsSpan(Product.Length);
        int end = version.IndexOfAny(' ', '(');
        version = (end < 0 ? version : version[..end]).Trim();
        if (version.IsEmpty || version.Length > LongestVersion)
        {
            return null;
        }

        foreach (char c in version)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+'))
            {
                return null;
            }
        }

        return version.ToString();
    }
}
