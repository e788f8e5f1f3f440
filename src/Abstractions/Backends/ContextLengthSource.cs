namespace AnyClaude.Abstractions.Backends;

/// <summary>Where a backend's <see cref="BackendCapabilities.ContextLength"/> came from, so a default is never shown as the server's word.</summary>
public enum ContextLengthSource
{
    /// <summary>Not said (no window, or a backend that does not say where its window came from).</summary>
    Unknown,

    /// <summary>The backend's <c>contextLength</c> setting.</summary>
    Configured,

    /// <summary>The server reported it (its model list, <c>/props</c>, <c>/api/show</c>, the model's files).</summary>
    Reported,

    /// <summary>The kind's default: nothing configured it and the server has not said (e.g. it is not running).</summary>
    Default,
}
