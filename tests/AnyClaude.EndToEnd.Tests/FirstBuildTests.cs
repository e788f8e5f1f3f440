using AnyClaude.EndToEnd.Tests.Infrastructure;
using Shouldly;

namespace AnyClaude.EndToEnd.Tests;

/// <summary>
/// The README's first command builds for minutes on a fresh clone, and `dotnet run` shows only a build's warnings and
/// errors (quiet verbosity): the host's project says what is happening, as a warning, before anything compiles, and
/// only when its output is missing. Checked with the host's BeforeBuild alone at that verbosity (the whole build is
/// minutes of two shared cores).
/// </summary>
public sealed class FirstBuildTests : IDisposable
{
    private readonly string _emptyOutput = Directory.CreateTempSubdirectory("anyclaude-first-build-").FullName;

    public void Dispose() => Directory.Delete(_emptyOutput, recursive: true);

    [Fact]
    public async Task A_first_build_says_so_before_compiling_at_the_verbosity_dotnet_run_uses()
    {
        var first = await BeforeBuildAsync(_emptyOutput + Path.DirectorySeparatorChar);

        first.ExitCode.ShouldBe(0, first.ToString());
        first.StandardOutput.ShouldContain("warning ANYCLAUDE0001: first build of anyclaude", Case.Sensitive, first.ToString());

        string built = Path.GetDirectoryName(RepositoryPaths.AnyClaudeExecutable)! + Path.DirectorySeparatorChar;
        var again = await BeforeBuildAsync(built);

        again.ExitCode.ShouldBe(0, again.ToString());
        again.StandardOutput.ShouldNotContain("ANYCLAUDE0001", Case.Sensitive, again.ToString());
    }

    private static Task<ProcessResult> BeforeBuildAsync(string outputDirectory)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath(),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        string project = Path.Combine(RepositoryPaths.Root, "src", "Host", "AnyClaude.Host.csproj");
        return ProcessRunner.RunAsync(
            "dotnet",
            ["msbuild", project, "-t:BeforeBuild", $"-p:OutDir={outputDirectory}", "-v:q", "-nologo"],
            environment,
            RepositoryPaths.Root,
            TimeSpan.FromMinutes(3));
    }
}
