using System.Diagnostics;
using System.Reflection;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// <c>anyclaude</c> installed as a .NET tool, the way a user installs it: the tool package (<c>dotnet pack src/Host</c>)
/// installed with <c>dotnet tool install --tool-path … --add-source …</c>. <c>.ci/run</c> packs (Release, as the README
/// does) and installs it before the tests and names the tool folder in <see cref="ToolPathVariable"/>; without it, the
/// package is packed here from the build these tests already made (<c>--no-build</c>) and installed into a temporary
/// folder, with a NuGet cache and configuration of its own so nothing stale or remote is used.
/// </summary>
public sealed class InstalledTool : IAsyncLifetime
{
    public const string ToolPathVariable = "TEST_ANYCLAUDE_TOOL_PATH";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);
    private string? _temporary;

    /// <summary>The <c>anyclaude</c> command the install put into the tool folder.</summary>
    public string Executable { get; private set; } = "";

    /// <summary>The tool folder (<c>--tool-path</c>); the installed files are under its <c>.store</c>.</summary>
    public string ToolPath { get; private set; } = "";

    /// <summary>How long packing and installing took here (zero when .ci/run did it).</summary>
    public TimeSpan PackAndInstallTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(ToolPathVariable) is { Length: > 0 } given)
        {
            ToolPath = given;
        }
        else
        {
            _temporary = Directory.CreateTempSubdirectory("anyclaude-tool-").FullName;
            ToolPath = Path.Combine(_temporary, "tool");
            var stopwatch = Stopwatch.StartNew();
            await PackAndInstallAsync(_temporary);
            PackAndInstallTime = stopwatch.Elapsed;
        }

        Executable = Path.Combine(ToolPath, OperatingSystem.IsWindows() ? "anyclaude.exe" : "anyclaude");
        if (!File.Exists(Executable))
        {
            throw new FileNotFoundException($"the tool install left no anyclaude at {Executable}");
        }
    }

    private async Task PackAndInstallAsync(string root)
    {
        string packages = Path.Combine(root, "packages");
        string configuration = typeof(InstalledTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        await DotnetAsync(["pack", Path.Combine(RepositoryPaths.Root, "src", "Host"), "-c", configuration, "--no-build", "-o", packages], root, root);

        // Only the pack folder as a source: a fresh machine's install, without the registry and without this machine's NuGet cache.
        string config = Path.Combine(root, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="anyclaude-pack" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        await DotnetAsync(["tool", "install", "AnyClaude.Extensible", "--tool-path", ToolPath, "--add-source", packages, "--configfile", config], root, root);
    }

    private static async Task DotnetAsync(IReadOnlyList<string> arguments, string workingDirectory, string root)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? root,
            ["NUGET_PACKAGES"] = Path.Combine(root, "nuget-cache"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        };
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot)
        {
            environment["DOTNET_ROOT"] = dotnetRoot;
        }

        var result = await ProcessRunner.RunAsync("dotnet", arguments, environment, workingDirectory, StepTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} failed: {result}");
        }
    }

    public Task DisposeAsync()
    {
        if (_temporary is not null)
        {
            try
            {
                Directory.Delete(_temporary, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }
}
