using System.Reflection;

namespace AnyClaude.EndToEnd.Tests.Infrastructure;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The anyclaude built with the same configuration as these tests, with its plugins folder beside it.</summary>
    public static string AnyClaudeExecutable
    {
        get
        {
            string configuration = typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            string path = Path.Combine(Root, "src", "Host", "bin", configuration, "net10.0", OperatingSystem.IsWindows() ? "anyclaude.exe" : "anyclaude");
            return File.Exists(path) ? path : throw new FileNotFoundException($"anyclaude is not built at {path}");
        }
    }

    public static string TestProjectDirectory => Path.Combine(Root, "tests", "AnyClaude.EndToEnd.Tests");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AnyClaude.Extensible.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no AnyClaude.Extensible.sln above {AppContext.BaseDirectory}");
    }
}
