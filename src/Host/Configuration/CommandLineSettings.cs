namespace AnyClaude.Host.Configuration;

/// <summary>What the command line says; the top configuration layer.</summary>
internal sealed record CommandLineSettings
{
    public string? Mode { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    public int? Debug { get; init; }

    public string? ConfigFile { get; init; }

    public string? PluginsDirectory { get; init; }

    public string? ScriptsDirectory { get; init; }

    public bool ProxyOnly { get; init; }
}
