using System.Text.RegularExpressions;
using AnyClaude.Host.Tests.Plugins;

namespace AnyClaude.Host.Tests.Docs;

/// <summary>
/// One fenced code block of a markdown file. <see cref="Mark"/> is what an HTML comment on the line just before the
/// fence says, e.g. <c>&lt;!-- sample: partial --&gt;</c> gives <c>partial</c>, <c>&lt;!-- sample: plugin HelloBackend --&gt;</c>
/// gives <c>plugin HelloBackend</c>; empty when there is none.
/// </summary>
internal sealed record MarkdownSample(string File, int Line, string Language, string Mark, string Code)
{
    public override string ToString() => $"{File}:{Line} ({Language}{(Mark.Length > 0 ? $", {Mark}" : "")})";
}

/// <summary>Reads the fenced code blocks of the repository's docs at test time, so a doc cannot drift from what is tested.</summary>
internal static partial class MarkdownSamples
{
    public static string DocsDirectory => Path.Combine(RepositoryPaths.Root, "docs");

    /// <summary>Every fenced block of every <c>docs/*.md</c>, in file and line order.</summary>
    public static IReadOnlyList<MarkdownSample> All() =>
        Directory.EnumerateFiles(DocsDirectory, "*.md").Order(StringComparer.Ordinal).SelectMany(Of).ToList();

    public static IReadOnlyList<MarkdownSample> Of(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string name = Path.GetRelativePath(RepositoryPaths.Root, path);
        var samples = new List<MarkdownSample>();
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            int start = i;
            var code = new List<string>();
            for (i++; i < lines.Length && lines[i].TrimEnd() != open.Groups["fence"].Value; i++)
            {
                code.Add(lines[i]);
            }

            var mark = start > 0 ? Mark().Match(lines[start - 1]) : Match.Empty;
            samples.Add(new MarkdownSample(name, start + 1, open.Groups["language"].Value, mark.Success ? mark.Groups[1].Value.Trim() : "",
                string.Join('\n', code) + "\n"));
        }

        return samples;
    }

    [GeneratedRegex("^(?<fence>```)(?<language>[A-Za-z0-9_+-]*)\\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex("^\\s*<!--\\s*sample:\\s*(.*?)\\s*-->\\s*$")]
    private static partial Regex Mark();
}
