using System.Globalization;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Servers;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration;

namespace AnyClaude.Host.Configuration;

/// <summary>
/// Builds <see cref="AnyClaudeOptions"/> from, lowest first: built-in defaults, <c>~/.anyclaude/config.json</c>,
/// <c>./anyclaude.json</c>, the <c>--config</c> file, the environment (the seed tool's variables and
/// <c>ANYCLAUDE_*</c>), and the command line. Every problem is reported, one line each.
/// </summary>
internal static class ConfigurationLoader
{
    public static string UserDirectory { get; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".anyclaude");

    public static ConfigurationResult Load(
        CommandLineSettings commandLine,
        IReadOnlyCollection<IBackendFactory> factories,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory)
    {
        var errors = new List<string>();
        IConfigurationRoot configuration;
        Dictionary<string, string> variables;
        IReadOnlySet<string> unasked;
        try
        {
            (configuration, variables, unasked) = BuildConfiguration(commandLine, factories, environment, workingDirectory, errors);
            if (errors.Count > 0)
            {
                return new ConfigurationResult(null, errors);
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or FileNotFoundException or System.Text.Json.JsonException)
        {
            errors.Add($"configuration: {exception.Message}{(exception.InnerException is { } inner ? $" ({inner.Message})" : "")}");
            return new ConfigurationResult(null, errors);
        }

        var reader = new ValueReader(configuration, errors);
        var warnings = new List<string>();
        CheckKeys(configuration, variables, factories, errors, warnings);
        var backends = ReadBackends(configuration, factories, unasked, errors, warnings);
        string mode = configuration["mode"] ?? "";
        string? modeError = null;
        if (mode.Length == 0)
        {
            modeError = $"mode: not set, and the configuration names several backends ({string.Join(", ", backends.Keys)}); set mode (or --mode NAME) to the one requests go to by default";
            errors.Add(modeError);
        }

        // A backend that is configured but invalid has its own error already; do not report the mode as well.
        else if (backends.Count > 0 && !backends.ContainsKey(mode) && !configuration.GetSection($"backends:{mode}").Exists())
        {
            modeError = $"mode: '{mode}' names no configured backend (configured: {string.Join(", ", backends.Keys)})";
            errors.Add(modeError);
        }

        var routing = RoutesReader.Read(configuration, configuration.GetSection("backends").GetChildren().Select(c => c.Key).ToList(), errors);
        string host = NullIfEmpty(configuration["host"]) ?? "127.0.0.1";
        string? apiKey = NullIfEmpty(configuration["apiKey"]);
        if (!ListenAddresses.TryParse(host, out var address))
        {
            errors.Add($"host: '{host}' is not an IP address, 'localhost' or '*'");
        }
        else if (!ListenAddresses.IsLoopback(address) && apiKey is null)
        {
            errors.Add($"host: listening on {host} (not loopback) lets other machines use the proxy; set an access key with ANYCLAUDE_API_KEY or apiKey (or listen on 127.0.0.1)");
        }

        var options = new AnyClaudeOptions
        {
            Mode = mode,
            Host = host,
            ApiKey = apiKey,
            Port = reader.Int("port", AnyClaudeOptions.DefaultPort, 0, 65535),
            Debug = reader.Int("debug", 0, 0, 3),
            MaxRequestBodyBytes = reader.Int("maxRequestBodyBytes", 32 * 1024 * 1024, 1024, int.MaxValue),
            ConnectTimeout = TimeSpan.FromSeconds(reader.Int("connectTimeoutSeconds", 10, 1, 3600)),
            HeartbeatInterval = TimeSpan.FromMilliseconds(reader.Int("heartbeatMilliseconds", 5000, 10, 10_000)),
            HealthCheckInterval = TimeSpan.FromSeconds(reader.Int("healthCheckSeconds", 30, 0, 86_400)),
            FirstByteTimeout = TimeSpan.FromSeconds(reader.Int("firstByteTimeoutSeconds", 600, 1, 86_400)),
            Limits = new RequestLimits
            {
                MaxJsonDepth = reader.Int("maxJsonDepth", 64, 8, 64),
                MaxMessages = reader.Int("maxMessages", 20_000, 1, int.MaxValue),
                MaxBlocksPerMessage = reader.Int("maxBlocksPerMessage", 10_000, 1, int.MaxValue),
                MaxTools = reader.Int("maxTools", 1_000, 0, int.MaxValue),
            },
            TraceDirectory = configuration["traceDirectory"] ?? Path.Combine(UserDirectory, "traces"),
            ClaudePath = NullIfEmpty(configuration["claudePath"]),
            OtlpEndpoint = OtlpEndpoint(configuration["otlpEndpoint"], errors),
            Backends = backends,
            Routing = routing,
            ScriptDirectories = ScriptDirectories(commandLine, configuration, workingDirectory),
            ScriptCacheDirectory = NullIfEmpty(configuration["scriptCacheDirectory"]) is { } cache
                ? Path.GetFullPath(cache, workingDirectory)
                : Path.Combine(UserDirectory, "cache", "scripts"),
            LocalSideAnswers = reader.OptionalBool("localSideAnswers") ?? true,
            Rewarm = reader.OptionalBool("rewarm") ?? false,
            Prewarm = reader.OptionalBool("prewarm") ?? true,
            WarmDirectory = Path.Combine(UserDirectory, "warm"),
        };
        return new ConfigurationResult(errors.Count == 0 ? options : null, errors) { Warnings = warnings, Settings = configuration, Mode = mode, ModeError = modeError };
    }

    /// <summary>Unknown keys in each JSON file and each <c>ANYCLAUDE_*</c> variable, named where they were written.</summary>
    private static void CheckKeys(IConfigurationRoot configuration, Dictionary<string, string> variables, IReadOnlyCollection<IBackendFactory> factories, List<string> errors, List<string> warnings)
    {
        var validator = new SettingsValidator(configuration, factories);
        foreach (var provider in configuration.Providers.OfType<JsonConfigurationProvider>())
        {
            string file = provider.Source.FileProvider?.GetFileInfo(provider.Source.Path ?? "").PhysicalPath ?? provider.Source.Path ?? "configuration";
            validator.Check(file, SettingsValidator.PathsOf(provider), errors, warnings);
        }

        foreach (var (path, variable) in variables)
        {
            validator.Check(variable, [path], errors, warnings);
        }
    }

    /// <summary>The merged configuration, and the configuration path each <c>ANYCLAUDE_*</c> variable set.</summary>
    private static (IConfigurationRoot Configuration, Dictionary<string, string> Variables, IReadOnlySet<string> Unasked) BuildConfiguration(
        CommandLineSettings commandLine,
        IReadOnlyCollection<IBackendFactory> factories,
        IReadOnlyDictionary<string, string?> environment,
        string workingDirectory,
        List<string> errors)
    {
        var variables = environment
            .Where(pair => pair.Key.StartsWith("ANYCLAUDE_", StringComparison.Ordinal) && pair.Value is not null)
            .ToDictionary(pair => pair.Key["ANYCLAUDE_".Length..].Replace("__", ":", StringComparison.Ordinal), pair => pair.Key);
        // ANYCLAUDE_API_KEY reads better than ANYCLAUDE_APIKEY; both set "apiKey".
        if (variables.Remove("API_KEY", out var apiKeyVariable))
        {
            variables["apiKey"] = apiKeyVariable;
        }

        var anyclaudeVariables = variables.ToDictionary(pair => pair.Key, pair => environment[pair.Value]);
        string[] files = commandLine.ConfigFile is { } file
            ? [Path.Combine(UserDirectory, "config.json"), Path.Combine(workingDirectory, "anyclaude.json"), Path.GetFullPath(file, workingDirectory)]
            : [Path.Combine(UserDirectory, "config.json"), Path.Combine(workingDirectory, "anyclaude.json")];
        var readable = new List<string>(files.Length);
        foreach (var path in files)
        {
            if (JsonFiles.SyntaxError(path) is { } error)
            {
                errors.Add(error);
                continue;
            }

            readable.Add(path);
        }

        var builder = new ConfigurationBuilder();
        var userLayers = AddUserLayers(new ConfigurationBuilder(), readable, files[^1], commandLine, anyclaudeVariables).Build();
        var (defaults, seedVariables, unasked) = BuiltInBackends.For(factories, environment, userLayers, commandLine.Mode);
        builder.AddInMemoryCollection(defaults);
        AddUserLayers(builder, readable, files[^1], commandLine, seedVariables, anyclaudeVariables);
        var overrides = new Dictionary<string, string?>();
        if (commandLine.Mode is { } mode)
        {
            overrides["mode"] = mode;
        }

        if (commandLine.Host is { } host)
        {
            overrides["host"] = host;
        }

        if (commandLine.Port is { } port)
        {
            overrides["port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        if (commandLine.Debug is { } debug)
        {
            overrides["debug"] = debug.ToString(CultureInfo.InvariantCulture);
        }

        return (builder.AddInMemoryCollection(overrides).Build(), variables, unasked);
    }

    /// <summary>The configuration files (only the --config file must exist) and the variables, in order.</summary>
    private static ConfigurationBuilder AddUserLayers(
        ConfigurationBuilder builder,
        IReadOnlyList<string> files,
        string configFile,
        CommandLineSettings commandLine,
        params IReadOnlyList<Dictionary<string, string?>> variables)
    {
        foreach (var path in files)
        {
            builder.AddJsonFile(path, optional: path != configFile || commandLine.ConfigFile is null, reloadOnChange: false);
        }

        foreach (var layer in variables)
        {
            builder.AddInMemoryCollection(layer);
        }

        return builder;
    }

    private static Dictionary<string, BackendOptions> ReadBackends(IConfiguration configuration, IReadOnlyCollection<IBackendFactory> factories, IReadOnlySet<string> unasked, List<string> errors, List<string> warnings)
    {
        var backends = new Dictionary<string, BackendOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var section in configuration.GetSection("backends").GetChildren())
        {
            string name = section.Key;
            string prefix = $"backends.{name}";
            string kind = section["kind"] ?? name;
            if (!factories.Any(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase)))
            {
                // Not an error: a plugin providing it may be dropped into a plugins folder while anyclaude runs.
                warnings.Add($"{prefix}.kind: no loaded plugin provides backends of kind '{kind}' yet (available: {string.Join(", ", factories.Select(f => f.Kind))}); requests to '{name}' fail until one is added");
            }

            var urls = ReadUrls(section, prefix, errors);
            if (urls is null)
            {
                continue;
            }

            var url = urls[0];
            var start = StartSettingsReader.Read(section, kind, url, errors);
            if (start is not null && urls.Count > 1)
            {
                errors.Add($"{prefix}.start: a pool (urls) cannot be started by anyclaude; start each server yourself, or give each its own backend with one url and a start command");
            }

            var reader = new ValueReader(section, errors, prefix);
            backends[name] = new BackendOptions
            {
                Name = name,
                Kind = kind,
                Url = url,
                Urls = urls,
                Unasked = unasked.Contains(name),
                ApiKey = NullIfEmpty(section["apiKey"]),
                Model = NullIfEmpty(section["model"]),
                MaxOutputTokens = reader.OptionalInt("maxOutputTokens", 1, 10_000_000),
                ContextLength = reader.OptionalInt("contextLength", 1, 100_000_000),
                MaxInFlight = reader.OptionalInt("maxInFlight", 0, 10_000),
                Start = start,
                SupportsImages = reader.OptionalBool("supportsImages"),
                SupportsTools = reader.OptionalBool("supportsTools"),
                Tokenizer = NullIfEmpty(section["tokenizer"]),
                Transforms = ReadList(section.GetSection("transforms")),
                CleanSchemaKeywords = ReadList(section.GetSection("cleanSchemaKeywords")) ?? [],
                Responses = ResponseSettings.Read(section, prefix, errors),
                Extra = section.GetChildren()
                    .Where(child => !SettingsSchema.Backend.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                    .ToDictionary(child => child.Key, child => child.Value, StringComparer.OrdinalIgnoreCase),
            };
        }

        return backends;
    }

    /// <summary>
    /// <c>urls</c> (a pool of replicas) when given, else <c>url</c>; null after reporting what is wrong. A pool's first
    /// URL is also the backend's <see cref="BackendSettings.Url"/> (its name in messages).
    /// </summary>
    private static List<Uri>? ReadUrls(IConfigurationSection section, string prefix, List<string> errors)
    {
        var listed = ReadList(section.GetSection("urls"));
        var texts = listed is { Count: > 0 } ? listed : [section["url"] ?? ""];
        string key = listed is { Count: > 0 } ? "urls" : "url";
        var urls = new List<Uri>(texts.Count);
        foreach (string text in texts)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                errors.Add($"{prefix}.{key}: '{text}' is not an absolute http(s) URL");
                return null;
            }

            if (!urls.Contains(url))
            {
                urls.Add(url);
            }
        }

        return urls;
    }

    /// <summary>
    /// The script folders: <c>--scripts DIR</c>, else the <c>scriptsDirectory</c> setting, else <c>scripts/</c> beside
    /// the executable and <c>~/.anyclaude/scripts</c>.
    /// </summary>
    private static IReadOnlyList<string> ScriptDirectories(CommandLineSettings commandLine, IConfiguration configuration, string workingDirectory) =>
        (commandLine.ScriptsDirectory ?? NullIfEmpty(configuration["scriptsDirectory"])) is { } directory
            ? [Path.GetFullPath(directory, workingDirectory)]
            : [Path.Combine(AppContext.BaseDirectory, "scripts"), Path.Combine(UserDirectory, "scripts")];

    /// <summary>A JSON array (<c>["a", "b"]</c>) or a comma-separated string (handy in environment variables); null when absent.</summary>
    internal static List<string>? ReadList(IConfigurationSection section)
    {
        if (section.Value is { } text)
        {
            return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        var children = section.GetChildren().ToList();
        return children.Count == 0
            ? null
            : children
                .OrderBy(child => int.TryParse(child.Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) ? index : int.MaxValue)
                .Select(child => child.Value?.Trim())
                .Where(value => !string.IsNullOrEmpty(value))
                .Select(value => value!)
                .ToList();
    }

    private static Uri? OtlpEndpoint(string? value, List<string> errors)
    {
        if (NullIfEmpty(value) is not { } text)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https")
        {
            return endpoint;
        }

        errors.Add($"otlpEndpoint: '{text}' is not an http(s) URL (for example http://127.0.0.1:4317)");
        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private sealed class ValueReader(IConfiguration configuration, List<string> errors, string? prefix = null)
    {
        public int Int(string key, int fallback, int min, int max) => OptionalInt(key, min, max) ?? fallback;

        public int? OptionalInt(string key, int min, int max)
        {
            string? text = configuration[key];
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
            {
                return value;
            }

            errors.Add($"{Name(key)}: '{text}' is not a whole number from {min} to {max}");
            return null;
        }

        public bool? OptionalBool(string key)
        {
            string? text = configuration[key];
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (bool.TryParse(text, out bool value))
            {
                return value;
            }

            errors.Add($"{Name(key)}: '{text}' is not true or false");
            return null;
        }

        private string Name(string key) => prefix is null ? key : $"{prefix}.{key}";
    }
}

internal sealed record ConfigurationResult(AnyClaudeOptions? Options, IReadOnlyList<string> Errors)
{
    /// <summary>Things worth saying that do not stop start-up.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Every layer merged, for the parts read elsewhere (the <c>Serilog</c> section).</summary>
    public IConfiguration? Settings { get; init; }

    /// <summary>The mode asked for, and the error in <see cref="Errors"/> saying it names no backend (if it does not).</summary>
    public string Mode { get; init; } = BuiltInBackends.DefaultMode;

    public string? ModeError { get; init; }
}
