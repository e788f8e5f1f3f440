using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Configuration;

namespace AnyClaude.Host.Cli.Commands;

/// <summary>
/// <c>anyclaude init [--yes] [--here] [--probe KIND=PORT]…</c>: looks for model servers on this machine's usual ports
/// (each backend kind's default port, as its plugin declares it, plus the common alternates), all at once with short
/// timeouts, shows what answers and the models it lists, and writes a configuration naming them to
/// <c>~/.anyclaude/config.json</c> (or <c>./anyclaude.json</c> with <c>--here</c>) once the user says yes. An existing
/// file is replaced only when the user answers yes to that question (the old one is kept as <c>.bak</c>).
/// Exit codes: 0 written; 1 nothing found, not confirmed or not written; 2 a bad <c>--probe</c>.
/// </summary>
internal static class InitCommand
{
    /// <summary>Ports servers are often started on besides their kind's default (mlx_lm.server's and llama-server's own default, 8080; MLX-Textgen's 5001).</summary>
    private static readonly (string Kind, int Port)[] Alternates = [("mlx-lm", 8080), ("llama-cpp", 8080), ("mlx-textgen", 5001)];

    /// <summary>Kinds that are not a model server of their own on a port of their own: the generic OpenAI kind and the Anthropic pass-through.</summary>
    private static readonly HashSet<string> NotProbed = new(StringComparer.OrdinalIgnoreCase) { "openai", "anthropic" };

    public sealed record Settings(bool Yes, bool Here, IReadOnlyList<string> Probes);

    public static async Task<int> RunAsync(
        Settings settings,
        IReadOnlyCollection<IBackendFactory> factories,
        string workingDirectory,
        TextReader input,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken)
    {
        var candidates = settings.Probes.Count > 0 ? ParseProbes(settings.Probes, error) : UsualPorts(factories);
        if (candidates is null)
        {
            return 2;
        }

        output.WriteLine($"Looking for model servers on this machine: {string.Join(", ", candidates.Select(c => $"{c.Kind} {c.Port}"))}");
        using var http = ServerProbe.Client();
        var probe = new ServerProbe(http);
        var byPort = candidates.GroupBy(c => c.Port).Select(g => g.First()).ToList();
        var results = await Task.WhenAll(byPort.Select(c => probe.ProbeAsync(c.Port, c.Kind, cancellationToken))).ConfigureAwait(false);
        var found = results.OfType<FoundServer>().ToList();
        var silent = byPort.Where((_, i) => results[i] is null).Select(c => c.Port.ToString(CultureInfo.InvariantCulture)).ToList();
        if (found.Count == 0)
        {
            error.WriteLine($"anyclaude: no model server answers on ports {string.Join(", ", silent)}; start one (e.g. `mlx_lm.server --port 8081`, `llama-server --port 8090 --jinja -m MODEL`, `ollama serve`, LM Studio's server) and run `anyclaude init` again, or name its port: --probe KIND=PORT");
            return 1;
        }

        var configuration = Configuration(found, factories, output);
        if (silent.Count > 0)
        {
            output.WriteLine($"  (nothing on {string.Join(", ", silent)})");
        }

        string target = settings.Here ? Path.Combine(workingDirectory, "anyclaude.json") : Path.Combine(ConfigurationLoader.UserDirectory, "config.json");
        string text = configuration.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        output.WriteLine();
        output.WriteLine($"Configuration for {target}:");
        output.Write(text);
        if (File.Exists(target))
        {
            if (!Ask(input, output, $"{target} exists. Replace it (the old one is kept as {Path.GetFileName(target)}.bak)? [y/N] ", defaultYes: false))
            {
                error.WriteLine($"anyclaude: nothing written: {target} exists and was not replaced (answer y to replace it, or move it away)");
                return 1;
            }

            File.Copy(target, target + ".bak", overwrite: true);
        }
        else if (!settings.Yes && !Ask(input, output, $"Write it? [Y/n] ", defaultYes: true))
        {
            error.WriteLine("anyclaude: nothing written (anyclaude init --yes writes without asking)");
            return 1;
        }

        try
        {
            PrivateFile.Write(target, text);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"anyclaude: could not write {target}: {exception.Message}");
            return 1;
        }

        string mode = configuration["mode"]!.GetValue<string>();
        output.WriteLine($"Wrote {target}. Start Claude Code on '{mode}' with: anyclaude{(found.Count > 1 ? " (another backend: anyclaude --mode NAME)" : "")}");
        return 0;
    }

    /// <summary>The order servers are listed and the first found becomes the default backend: the README's default first; other kinds after these.</summary>
    private static readonly string[] Preference = ["mlx-lm", "lmstudio", "llama-cpp", "ollama", "vllm", "exo", "mlx-textgen"];

    /// <summary>The default port of every kind a plugin declares one for, then the alternates, in that order.</summary>
    private static List<(string Kind, int Port)> UsualPorts(IReadOnlyCollection<IBackendFactory> factories)
    {
        var ports = factories
            .Where(f => f.Defaults is not null && !NotProbed.Contains(f.Kind) && f.Defaults.Url.IsLoopback)
            .OrderBy(f => Array.IndexOf(Preference, f.Kind) is var i and >= 0 ? i : Preference.Length)
            .Select(f => (f.Kind, f.Defaults!.Url.Port))
            .ToList();
        ports.AddRange(Alternates.Where(a => !ports.Contains(a)));
        return ports;
    }

    private static List<(string Kind, int Port)>? ParseProbes(IReadOnlyList<string> probes, TextWriter error)
    {
        var parsed = new List<(string Kind, int Port)>();
        foreach (string probe in probes)
        {
            string[] parts = probe.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || WholeNumberOption.TryParse(parts[1], 1, 65535) is not { } port)
            {
                error.WriteLine($"anyclaude: --probe: '{probe}' is not KIND=PORT (e.g. --probe llama-cpp=8090)");
                return null;
            }

            parsed.Add((parts[0], port));
        }

        return parsed;
    }

    /// <summary>One backend per server found (named as its kind's default backend, the port added when a kind is found twice); the first is the mode.</summary>
    private static JsonObject Configuration(IReadOnlyList<FoundServer> found, IReadOnlyCollection<IBackendFactory> factories, TextWriter output)
    {
        var backends = new JsonObject();
        foreach (var server in found)
        {
            var factory = factories.FirstOrDefault(f => string.Equals(f.Kind, server.Kind, StringComparison.OrdinalIgnoreCase));
            string kind = factory?.Kind ?? "openai";
            string name = factory?.Defaults?.Name ?? server.Kind;
            if (backends.ContainsKey(name))
            {
                name = $"{name}-{server.Port}";
            }

            var url = new UriBuilder(factory?.Defaults?.Url ?? new Uri("http://localhost/v1")) { Host = "localhost", Port = server.Port }.Uri;
            var backend = new JsonObject { ["kind"] = kind, ["url"] = url.ToString() };
            if (server.Models.Count == 1)
            {
                backend["model"] = server.Models[0];
            }

            backends[name] = backend;
            string models = server.Models.Count == 0
                ? "no model listed (load one)"
                : string.Join(", ", server.Models.Take(5)) + (server.Models.Count > 5 ? $", … ({server.Models.Count} in all)" : "");
            string unknownKind = factory is null ? $" (no {server.Kind} plugin loaded: configured as an OpenAI-compatible server)" : "";
            output.WriteLine($"  ✓ {name,-14} {server.Kind,-12} {url}  models: {models}{unknownKind}");
            if (server.Port == AnyClaudeOptions.DefaultPort)
            {
                output.WriteLine($"    (it listens on {server.Port}, anyclaude's own default port: anyclaude then takes a free port and says which; or set \"port\" in the configuration)");
            }
        }

        return new JsonObject { ["mode"] = backends.First().Key, ["backends"] = backends };
    }

    private static bool Ask(TextReader input, TextWriter output, string question, bool defaultYes)
    {
        output.Write(question);
        output.Flush();
        string? answer = input.ReadLine()?.Trim();
        output.WriteLine();
        return answer is null ? false : answer.Length == 0 ? defaultYes : answer.StartsWith('y') || answer.StartsWith('Y');
    }
}
