using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using AnyClaude.Host.Cli.Launcher;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Plugins;
using AnyClaude.Host.Scripting;

namespace AnyClaude.Host.Cli.Doctor;

/// <summary>What <c>anyclaude doctor</c> checks besides the backends: Claude Code and its version, the port, the plugin and script folders.</summary>
internal static class EnvironmentDoctor
{
    public const string Subject = "anyclaude";

    public static async Task<DoctorCheck> ClaudeCodeAsync(AnyClaudeOptions options, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        string? claude = ClaudeLocator.Find(options.ClaudePath, environment.GetValueOrDefault("PATH"));
        if (claude is null)
        {
            return DoctorCheck.Fail(Subject, "Claude Code", "not found", ClaudeLocator.InstallHint);
        }

        try
        {
            var start = new ProcessStartInfo(claude, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            string version = (await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false)).Trim();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 && version.Length > 0
                ? DoctorCheck.Ok(Subject, "Claude Code", $"{version} ({claude})")
                : DoctorCheck.Warn(Subject, "Claude Code", $"{claude} --version exited {process.ExitCode}", "reinstall it: npm install -g @anthropic-ai/claude-code");
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return DoctorCheck.Warn(Subject, "Claude Code", $"{claude} did not run: {exception.Message}", "reinstall it: npm install -g @anthropic-ai/claude-code");
        }
    }

    public static DoctorCheck Port(AnyClaudeOptions options)
    {
        try
        {
            using var listener = new TcpListener(ListenAddresses.Parse(options.Host), options.Port);
            listener.Start();
            return DoctorCheck.Ok(Subject, "port", $"{options.Host}:{options.Port} is free");
        }
        catch (SocketException exception) when (exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return DoctorCheck.Warn(Subject, "port", $"{options.Host}:{options.Port} is taken (an anyclaude already running, or another program)",
                "`anyclaude status` says whether it is an anyclaude; the launcher picks a free port by itself, `--proxy-only` needs --port N or ANYCLAUDE_PORT");
        }
        catch (SocketException exception)
        {
            return DoctorCheck.Fail(Subject, "port", $"cannot listen on {options.Host}:{options.Port}: {exception.Message}", "choose another host or port (ANYCLAUDE_HOST, ANYCLAUDE_PORT)");
        }
    }

    public static IEnumerable<DoctorCheck> Folders(IReadOnlyList<PluginDirectory> pluginDirectories, PluginCatalog plugins, AnyClaudeOptions options, ScriptSet scripts)
    {
        foreach (var directory in pluginDirectories)
        {
            yield return Directory.Exists(directory.Path)
                ? DoctorCheck.Ok(Subject, "plugin folder", directory.Path)
                : directory.Required
                    ? DoctorCheck.Fail(Subject, "plugin folder", $"{directory.Path} does not exist", "create it or pass another --plugins")
                    : DoctorCheck.Ok(Subject, "plugin folder", $"{directory.Path} (absent, optional)");
        }

        yield return DoctorCheck.Ok(Subject, "plugins", $"{plugins.Plugins.Length} loaded, backend kinds: {string.Join(", ", plugins.BackendKinds.Select(k => k.Kind))}");
        foreach (var failure in plugins.Failures)
        {
            yield return DoctorCheck.Warn(Subject, "plugins", $"{failure}", "rebuild the plugin against this anyclaude's SDK, or remove it");
        }

        foreach (string directory in options.ScriptDirectories)
        {
            yield return DoctorCheck.Ok(Subject, "script folder", Directory.Exists(directory) ? directory : $"{directory} (absent, optional)");
        }

        foreach (var error in scripts.Errors)
        {
            yield return DoctorCheck.Warn(Subject, "scripts", error, "fix the script or move it out of the folder");
        }
    }
}
