using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Scripting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Cli.Doctor;

/// <summary>
/// <c>anyclaude doctor</c>: checks every configured backend with real requests (<see cref="BackendDoctor"/>) and the
/// machine (<see cref="EnvironmentDoctor"/>), prints each finding with what to fix, and exits 0 only when the default
/// backend is usable (reachable, and requests with tools work or are not sent). Claude Code's own doctor is
/// <c>anyclaude -- doctor</c>.
/// </summary>
internal static class DoctorCommand
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(CommandLineSettings commandLine, IReadOnlyDictionary<string, string?> environment, string workingDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        var directories = PluginManager.DirectoriesFor(commandLine.PluginsDirectory, ConfigurationLoader.UserDirectory);
        using var plugins = new PluginManager(directories);
        var catalog = plugins.Reload();
        var loaded = ConfigurationLoader.Load(commandLine, catalog.BackendFactories, environment, workingDirectory);
        if (loaded.Options is not { } options)
        {
            output.WriteLine("✗ configuration has problems (fix these first):");
            foreach (var error in NoPluginsHint.Apply(loaded.Errors, loaded.ModeError, loaded.Mode, directories, catalog))
            {
                output.WriteLine($"    {error}");
            }

            return 1;
        }

        var scripts = ScriptLoader.Load(options.ScriptDirectories, options.ScriptCacheDirectory);
        var machine = new List<DoctorCheck>
        {
            await EnvironmentDoctor.ClaudeCodeAsync(options, environment, cancellationToken).ConfigureAwait(false),
            EnvironmentDoctor.Port(options),
        };
        machine.AddRange(EnvironmentDoctor.Folders(directories, catalog, options, scripts));
        machine.AddRange(loaded.Warnings.Select(w => DoctorCheck.Warn(EnvironmentDoctor.Subject, "configuration", w, "see docs/configuration.md")));
        return await CheckAsync(options, catalog.BackendFactories, machine, output, RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks the backends of <paramref name="options"/>, prints them and <paramref name="machine"/>, and gives the exit code.</summary>
    public static async Task<int> CheckAsync(
        AnyClaudeOptions options,
        IReadOnlyCollection<IBackendFactory> factories,
        IReadOnlyList<DoctorCheck> machine,
        TextWriter output,
        TimeSpan requestTimeout,
        CancellationToken cancellationToken)
    {
        using var registry = new BackendRegistry(options, factories, NullLoggerFactory.Instance, TimeProvider.System);
        IReadOnlyList<DoctorCheck> defaultChecks = [];
        foreach (var (name, settings) in options.Backends.OrderBy(b => !string.Equals(b.Key, options.Mode, StringComparison.OrdinalIgnoreCase)).ThenBy(b => b.Key, StringComparer.Ordinal))
        {
            bool isDefault = string.Equals(name, options.Mode, StringComparison.OrdinalIgnoreCase);
            IReadOnlyList<DoctorCheck> checks;
            try
            {
                checks = await new BackendDoctor(registry.Get(name), settings, requestTimeout).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Abstractions.Errors.AnthropicException exception)
            {
                checks = [DoctorCheck.Fail(name, "backend", exception.Message, "install the plugin of its kind, or fix its configuration")];
            }

            if (settings.Start is { } start)
            {
                // The whole command line anyclaude runs for it, as it will run it.
                checks = [DoctorCheck.Ok(name, "start", $"when nothing answers at {settings.Url}, anyclaude runs: {start.Command.Display} (up to {start.Timeout.TotalSeconds:0} s to load)"), .. checks];
            }

            if (settings.Unasked && !isDefault && checks is [{ Name: "reachable", Verdict: Verdict.Failed }])
            {
                // A built-in backend nobody configured: its server not running is no finding.
                output.WriteLine($"{name} ({settings.Kind}, built in, not configured): not running at {settings.Url}");
                output.WriteLine();
                continue;
            }

            Print(output, $"{name} ({settings.Kind}{(isDefault ? ", the default" : "")})", checks);
            if (isDefault)
            {
                defaultChecks = checks;
            }
        }

        Print(output, EnvironmentDoctor.Subject, machine);
        var blocking = defaultChecks.FirstOrDefault(c => c.Verdict == Verdict.Failed);
        if (blocking is null && defaultChecks.Count > 0)
        {
            output.WriteLine($"The default backend '{options.Mode}' is usable.");
            return 0;
        }

        output.WriteLine($"The default backend '{options.Mode}' is not usable: {blocking?.Name}: {blocking?.Finding ?? "not configured"}.");
        return 1;
    }

    private static void Print(TextWriter output, string heading, IReadOnlyList<DoctorCheck> checks)
    {
        output.WriteLine(heading);
        foreach (var check in checks)
        {
            string mark = check.Verdict switch { Verdict.Ok => "✓", Verdict.Warning => "!", _ => "✗" };
            output.WriteLine($"  {mark} {check.Name,-15} {check.Finding}");
            if (check.Fix is { } fix)
            {
                output.WriteLine($"    {"",-15} fix: {fix}");
            }
        }

        output.WriteLine();
    }
}
