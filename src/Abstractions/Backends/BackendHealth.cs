namespace AnyClaude.Abstractions.Backends;

public sealed record BackendHealth(bool IsHealthy, string Description)
{
    public static BackendHealth Healthy(string description = "ok") => new(true, description);

    public static BackendHealth Unhealthy(string description) => new(false, description);
}
