using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Servers;

/// <summary>
/// <c>start</c> as an object, for the kinds whose server command is well known; the port (and a host other than the
/// servers' default 127.0.0.1) come from the backend's URL, so the two cannot disagree:
/// <list type="bullet">
/// <item><c>llama-cpp</c>: <c>{"model": "x.gguf" or "org/repo[:quant]", "contextSize", "parallel", "cacheRam"}</c> →
/// <c>llama-server -m x.gguf --port P -c 131072 --parallel 2 --jinja</c> (<c>-hf</c> for a Hugging Face name).
/// <c>-c</c> is the whole context, each of the <c>--parallel</c> slots gets its share (docs/backends.md: at least 65,536
/// for Claude Code; the default is that page's command line, 131,072 shared by 2 slots); <c>--jinja</c> for tool calls;
/// <c>--cache-ram</c> (the host-memory prompt cache docs/backends.md counts on) is on by default in the server, so it is
/// passed only when <c>cacheRam</c> is set (a build older than the flag would refuse it).</item>
/// <item><c>mlx-lm</c>: <c>{"model": "mlx-community/…"}</c> → <c>mlx_lm.server --model … --port P</c>.</item>
/// </list>
/// Both take <c>executable</c> (the server program, default on PATH) and <c>arguments</c> (more flags, added last).
/// <c>model</c> defaults to the backend's own <c>model</c> setting.
/// </summary>
internal static class ServerShortForms
{
    public const int DefaultContextSize = 131_072;
    public const int DefaultParallel = 2;

    private const string Model = "model";
    private const string ContextSize = "contextSize";
    private const string Parallel = "parallel";
    private const string CacheRam = "cacheRam";
    private const string Executable = "executable";
    private const string Arguments = "arguments";

    private static readonly Dictionary<string, string[]> KeysByKind = new(StringComparer.OrdinalIgnoreCase)
    {
        ["llama-cpp"] = [Model, ContextSize, Parallel, CacheRam, Executable, Arguments],
        ["mlx-lm"] = [Model, Executable, Arguments],
    };

    /// <summary>What to write instead for the kinds whose server starts with a plain command.</summary>
    private static readonly Dictionary<string, string> Examples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lmstudio"] = "\"lms server start --port 1234\"",
        ["ollama"] = "\"ollama serve\"",
        ["anthropic"] = "\"llama-server -m model.gguf --jinja --port 8090\"",
        ["vllm"] = "\"vllm serve Qwen/Qwen3-Coder-30B-A3B-Instruct --port 8000\"",
    };

    /// <summary>The kinds that have a short form.</summary>
    public static IReadOnlyCollection<string> Kinds => KeysByKind.Keys;

    public static ServerCommand? Build(string kind, IConfigurationSection start, Uri url, string? backendModel, string name, ICollection<string> errors)
    {
        if (!KeysByKind.TryGetValue(kind, out var keys))
        {
            string example = Examples.GetValueOrDefault(kind, "\"my-server --port 8000\"");
            errors.Add($"{name}: an object is the short form of the kinds {string.Join(" and ", Kinds)}; for kind '{kind}' give the command as a string run by the shell or a list of words (for example {example})");
            return null;
        }

        int before = errors.Count;
        foreach (var key in start.GetChildren().Select(child => child.Key).Where(key => !keys.Contains(key, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add($"{name}.{key}: unknown key (the {kind} short form has {string.Join(", ", keys)})");
        }

        var values = new ShortFormValues(start, name, errors);
        string? model = values.Text(Model) ?? backendModel;
        if (model is null && errors.Count == before)
        {
            errors.Add($"{name}.{Model}: missing; name the model the server loads ({(IsLlamaCpp(kind) ? "a .gguf file or a Hugging Face repository" : "a Hugging Face repository or a local folder")})");
        }

        var extra = values.List(Arguments);
        string? executable = values.Text(Executable);
        var command = IsLlamaCpp(kind)
            ? LlamaServer(executable, model, url, values.Int(ContextSize, 256, 100_000_000), values.Int(Parallel, 1, 1024), values.Int(CacheRam, -1, 100_000_000), extra)
            : MlxLmServer(executable, model, url, extra);
        return errors.Count > before ? null : command;
    }

    private static ServerCommand LlamaServer(string? executable, string? model, Uri url, int? contextSize, int? parallel, int? cacheRam, IReadOnlyList<string> extra)
    {
        List<string> arguments = [IsFile(model ?? "") ? "-m" : "-hf", IsFile(model ?? "") ? HomePath(model!) : model ?? "", .. PortAndHost(url)];
        arguments.AddRange(["-c", Number(contextSize ?? DefaultContextSize), "--parallel", Number(parallel ?? DefaultParallel), "--jinja"]);
        if (cacheRam is { } megabytes)
        {
            arguments.AddRange(["--cache-ram", Number(megabytes)]);
        }

        arguments.AddRange(extra);
        return ServerCommand.Direct(HomePath(executable ?? "llama-server"), arguments);
    }

    private static ServerCommand MlxLmServer(string? executable, string? model, Uri url, IReadOnlyList<string> extra) =>
        ServerCommand.Direct(HomePath(executable ?? "mlx_lm.server"), ["--model", IsFile(model ?? "") ? HomePath(model!) : model ?? "", .. PortAndHost(url), .. extra]);

    /// <summary><c>--port</c> from the URL; <c>--host</c> only for a host other than the servers' default (127.0.0.1, which localhost reaches).</summary>
    private static IEnumerable<string> PortAndHost(Uri url)
    {
        yield return "--port";
        yield return Number(url.Port);
        string host = url.DnsSafeHost;
        if (!host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !(IPAddress.TryParse(host, out var address) && address.Equals(IPAddress.Loopback)))
        {
            yield return "--host";
            yield return host;
        }
    }

    private static bool IsLlamaCpp(string kind) => kind.Equals("llama-cpp", StringComparison.OrdinalIgnoreCase);

    /// <summary>A model file or folder rather than a Hugging Face name (<c>org/repo</c>, <c>org/repo:Q4_K_M</c>).</summary>
    private static bool IsFile(string model) =>
        model.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
        || model.StartsWith('~')
        || model.StartsWith("./", StringComparison.Ordinal)
        || model.StartsWith("../", StringComparison.Ordinal)
        || Path.IsPathRooted(model)
        || File.Exists(model)
        || Directory.Exists(model);

    /// <summary><c>~/x</c> as the home folder's <c>x</c> (a program or a model run without a shell gets no expansion).</summary>
    internal static string HomePath(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class ShortFormValues(IConfigurationSection start, string name, ICollection<string> errors)
    {
        public string? Text(string key)
        {
            var section = start.GetSection(key);
            if (section.GetChildren().Any())
            {
                errors.Add($"{name}.{key}: must be a string");
                return null;
            }

            return string.IsNullOrWhiteSpace(section.Value) ? null : section.Value.Trim();
        }

        public int? Int(string key, int min, int max)
        {
            string? text = Text(key);
            if (text is null)
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
            {
                return value;
            }

            errors.Add($"{name}.{key}: '{text}' is not a whole number from {min} to {max}");
            return null;
        }

        /// <summary>A list of words, or one string split at spaces (<c>"-ngl 99 -t 8"</c>).</summary>
        public IReadOnlyList<string> List(string key)
        {
            var section = start.GetSection(key);
            if (section.Value is { } text)
            {
                return text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }

            var children = section.GetChildren().ToList();
            if (children.Count == 0)
            {
                return [];
            }

            if (children.Any(child => StartSettingsReader.IndexOf(child.Key) < 0))
            {
                errors.Add($"{name}.{key}: must be a list of strings");
                return [];
            }

            return StartSettingsReader.ReadWords(children, $"{name}.{key}", errors) ?? [];
        }
    }
}
