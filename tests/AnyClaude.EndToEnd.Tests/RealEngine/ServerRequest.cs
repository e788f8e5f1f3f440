using System.Globalization;
using System.Text.RegularExpressions;
using AnyClaude.TestSupport.RealEngine;

namespace AnyClaude.EndToEnd.Tests.RealEngine;

/// <summary>
/// One request a one-slot llama-server ran, in its own figures from its log: the prompt tokens it evaluated, the
/// tokens it generated, and the slot's length when it let go. What its prefix cache gave follows from them: the
/// slot ends holding the cached prefix, the evaluated prompt and every generated token but the last (never fed back),
/// which is what the server reports as <c>timings.cache_n</c>.
/// </summary>
internal sealed partial record ServerRequest(int Task, int PromptEvaluated, double PromptMilliseconds, int Generated, int TokensAtRelease)
{
    public int CachedTokens => TokensAtRelease - PromptEvaluated - Generated + 1;

    public int PromptTokens => CachedTokens + PromptEvaluated;

    public double CachedShare => (double)CachedTokens / PromptTokens;

    /// <summary>The requests the server has finished, in order.</summary>
    public static IReadOnlyList<ServerRequest> Finished(RealLlamaServer server)
    {
        string log = server.Output;
        var prompts = PromptLine().Matches(log).ToDictionary(m => Int(m, "task"), m => (Tokens: Int(m, "tokens"), Milliseconds: double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture)));
        var generated = GeneratedLine().Matches(log).ToDictionary(m => Int(m, "task"), m => Int(m, "tokens"));
        return ReleaseLine().Matches(log)
            .Select(m => (Task: Int(m, "task"), Tokens: Int(m, "tokens")))
            .Where(release => prompts.ContainsKey(release.Task) && generated.ContainsKey(release.Task))
            .Select(release => new ServerRequest(release.Task, prompts[release.Task].Tokens, prompts[release.Task].Milliseconds, generated[release.Task], release.Tokens))
            .ToList();
    }

    /// <summary>How many requests the server has started (its log's <c>launch_slot_ … processing task</c> lines).</summary>
    public static int Started(RealLlamaServer server) => LaunchLine().Count(server.Output);

    /// <summary>The server's figures and the proxy's log lines with its time to first token, for a test's output.</summary>
    public static string Report(IReadOnlyList<ServerRequest> requests, string proxyLog) =>
        string.Join('\n', requests.Concat<object>(proxyLog.Split('\n').Where(line => line.Contains(" ttft=", StringComparison.Ordinal))));

    public override string ToString() =>
        $"task {Task}: {CachedTokens}/{PromptTokens} prompt tokens cached ({CachedShare:P0}), {PromptEvaluated} evaluated in {PromptMilliseconds:0} ms, {Generated} generated";

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"launch_slot_: id +\d+ \| task \d+ \| processing task")]
    private static partial Regex LaunchLine();

    [GeneratedRegex(@"task (?<task>\d+) \| prompt eval time = +(?<ms>[\d.]+) ms / +(?<tokens>\d+) tokens")]
    private static partial Regex PromptLine();

    [GeneratedRegex(@"task (?<task>\d+) \| +eval time = +[\d.]+ ms / +(?<tokens>\d+) tokens")]
    private static partial Regex GeneratedLine();

    [GeneratedRegex(@"task (?<task>\d+) \| stop processing: n_tokens = (?<tokens>\d+)")]
    private static partial Regex ReleaseLine();
}
