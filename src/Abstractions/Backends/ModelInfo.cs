namespace AnyClaude.Abstractions.Backends;

/// <summary>A model a backend serves, as <c>GET /v1/models</c> lists it.</summary>
public sealed record ModelInfo(string Id, string DisplayName, DateTimeOffset? CreatedAt = null);
