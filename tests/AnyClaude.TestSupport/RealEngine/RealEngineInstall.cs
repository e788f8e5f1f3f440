using System.Diagnostics;

namespace AnyClaude.TestSupport.RealEngine;

/// <summary>The files of the real-engine tier: a real llama.cpp <c>llama-server</c> and a tiny model (scripts/real-engine).</summary>
public sealed record RealEngineFiles(string Folder)
{
    public string LibraryFolder => Path.Combine(Folder, "llama-bin");

    public string Server => Path.Combine(LibraryFolder, "llama-server");

    /// <summary>42 M parameters, random weights, Qwen2.5-Instruct's real tokenizer and chat template.</summary>
    public string Model => Path.Combine(Folder, "models", "tiny-qwen2-random.gguf");

    /// <summary>The model's tokenizer.json (the same tokenizer the GGUF carries).</summary>
    public string TokenizerJson => Path.Combine(Folder, "models", "tokenizer.json");
}

/// <summary>
/// Builds the real engine once per machine with <c>scripts/real-engine/install.sh</c> (cached by package versions: a
/// second call is instant) so <c>dotnet test</c> works on a fresh clone; <c>.ci/run</c> runs the same script first.
/// </summary>
public static class RealEngineInstall
{
    private static readonly Lazy<Task<RealEngineFiles>> Installed = new(InstallAsync);

    public static Task<RealEngineFiles> EnsureInstalledAsync() => Installed.Value;

    private static async Task<RealEngineFiles> InstallAsync()
    {
        string script = Path.Combine(RepositoryRoot(), "scripts", "real-engine", "install.sh");
        using var install = Process.Start(new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"bash {script} did not start");
        var output = install.StandardOutput.ReadToEndAsync();
        var errors = install.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(25));
        await install.WaitForExitAsync(timeout.Token);
        string folder = (await output).Trim().Split('\n')[^1].Trim();
        if (install.ExitCode != 0 || !File.Exists(Path.Combine(folder, "ready")))
        {
            throw new InvalidOperationException($"{script} failed ({install.ExitCode}): {await output}{await errors}");
        }

        return new RealEngineFiles(folder);
    }

    internal static string RepositoryRoot()
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
