using System.Text.Json;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Installs the npm packages pinned in one folder of this project (its package.json) into the matching folder under
/// .cache once, and reuses them while the pins do not change. The installed Claude Code must be the pinned version.
/// </summary>
public abstract class NpmFolder(string name) : IAsyncLifetime
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(10);

    public string Directory { get; } = Path.Combine(RepositoryPaths.TestProjectDirectory, ".cache", name);

    public string ClaudeExecutable => Path.Combine(Directory, "node_modules", ".bin", OperatingSystem.IsWindows() ? "claude.cmd" : "claude");

    public string ClaudeVersion { get; private set; } = "";

    public string NodeModules => Path.Combine(Directory, "node_modules");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        string pinned = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, name, "package.json"));
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
        using var pins = JsonDocument.Parse(pinned);
        string expected = pins.RootElement.GetProperty("dependencies").GetProperty("@anthropic-ai/claude-code").GetString()!;
        if (ClaudeVersion != expected)
        {
            throw new InvalidOperationException($"{Directory} holds Claude Code {ClaudeVersion}, but {name}/package.json pins {expected}");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>npm/package.json: the Claude Code every end-to-end test runs (2.1.337) and the TypeScript SDK.</summary>
public sealed class NpmPackages() : NpmFolder("npm");

/// <summary>npm-2.1.332/package.json: the previous pin, which keeps one smoke run.</summary>
public sealed class ClaudeCode2_1_332() : NpmFolder("npm-2.1.332");

/// <summary>npm-2.1.197/package.json: the older Claude Code that keeps one smoke run.</summary>
public sealed class ClaudeCode2_1_197() : NpmFolder("npm-2.1.197");

[CollectionDefinition(Name)]
public sealed class ClaudeCodeCollection : ICollectionFixture<NpmPackages>
{
    public const string Name = "Claude Code end to end";
}

[CollectionDefinition(Name)]
public sealed class OlderClaudeCodeCollection : ICollectionFixture<ClaudeCode2_1_197>, ICollectionFixture<ClaudeCode2_1_332>
{
    public const string Name = "Older Claude Code end to end";
}
