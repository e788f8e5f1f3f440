namespace AnyClaude.Abstractions.Backends;

/// <summary>Builds backends of one kind. Plugins register factories; configuration names the instances.</summary>
public interface IBackendFactory
{
    /// <summary>The kind this factory builds, matched case-insensitively against configuration.</summary>
    string Kind { get; }

    /// <summary>Defaults for a backend of this kind that the user has not configured at all, or null if it needs configuration.</summary>
    BackendDefaults? Defaults { get; }

    IBackend Create(BackendSettings settings, BackendServices services);

    /// <summary>
    /// The names of the extra settings (<see cref="BackendSettings.Extra"/>) this kind reads. Any other key in a
    /// backend's configuration that the host does not know is still passed on, with a start-up warning that it
    /// may be a typo.
    /// </summary>
    IReadOnlyCollection<string> ExtraSettings => [];
}

/// <summary>What a backend kind looks like out of the box: its default URL and the environment variables of the seed tool.</summary>
public sealed record BackendDefaults(string Name, Uri Url, string? UrlVariable = null, string? ApiKeyVariable = null, string? ModelVariable = null);
