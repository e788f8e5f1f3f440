using System.Text.Json;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Installs the pinned npm packages (npm/package.json: the real Claude Code CLI and the TypeScript SDK) into
/// this project's .cache folder once, and reuses them while the pinned versions do not change.
/// </summary>
public sealed class NpmPackages : IAsyncLifetime
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    public string Directory { get; } = Path.Combine(RepositoryPaths.TestProjectDirectory, ".cache", "npm");

    public string ClaudeExecutable => Path.Combine(Directory, "node_modules", ".bin", OperatingSystem.IsWindows() ? "claude.cmd" : "claude");

    public string ClaudeVersion { get; private set; } = "";

    public string NodeModules => Path.Combine(Directory, "node_modules");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        string pinned = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "npm", "package.json"));
        string manifest = Path.Combine(Directory, "package.json");
        if (!File.Exists(manifest) || File.ReadAllText(manifest) != pinned || !File.Exists(ClaudeExecutable))
        {
            File.WriteAllText(manifest, pinned);
            await ProcessRunner.RunCheckedAsync("npm", "install --no-audit --no-fund --no-package-lock", Directory, InstallTimeout);
        }

        // npm may skip the package's postinstall, which replaces a placeholder with the native binary.
        string package = Path.Combine(NodeModules, "@anthropic-ai", "claude-code");
        string nativeBinary = Path.Combine(package, "bin", "claude.exe");
        if (!File.Exists(nativeBinary) || new FileInfo(nativeBinary).Length < 1_000_000)
        {
            await ProcessRunner.RunCheckedAsync("node", "install.cjs", package, InstallTimeout);
        }

        using var packageJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "package.json")));
        ClaudeVersion = packageJson.RootElement.GetProperty("version").GetString()!;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class ClaudeCodeCollection : ICollectionFixture<NpmPackages>
{
    public const string Name = "Claude Code end to end";
}
