namespace AnyClaude.Host.Servers;

/// <summary>Where a backend's server is, from anyclaude's point of view.</summary>
internal enum ServerState
{
    /// <summary>Nothing asked yet (<see cref="ServerSupervisor.EnsureStartedAsync"/> not called).</summary>
    NotStarted,

    /// <summary>Checking whether it answers, or its command runs and it has not answered its health check yet.</summary>
    Starting,

    /// <summary>It answers; anyclaude started it.</summary>
    Up,

    /// <summary>It answered before anyclaude did anything: used as it is, never started or stopped by anyclaude.</summary>
    External,

    /// <summary>The server anyclaude started ended; it is started again after a back-off.</summary>
    Restarting,

    /// <summary>Its command could not run, ended, or the server did not answer in time; <see cref="ServerStatus.Message"/> says which.</summary>
    Failed,

    /// <summary>anyclaude stopped it on its way out.</summary>
    Stopped,
}

/// <summary>One backend's server for <c>anyclaude status</c> and the dashboard.</summary>
/// <param name="Command">The start command in full (<see cref="ServerCommand.Display"/>).</param>
/// <param name="StartedByAnyClaude">anyclaude ran its command (and so stops it when it ends).</param>
/// <param name="ProcessId">The running server's pid; null when anyclaude runs none (external, or its command handed it to a daemon).</param>
/// <param name="Uptime">Since it last answered its health check after a start; null while it is not up.</param>
/// <param name="Restarts">How many times anyclaude started it again after it ended.</param>
/// <param name="Message">What went wrong (failed, restarting) or a note (external, handed to a daemon).</param>
internal sealed record ServerStatus(
    string Backend,
    string Command,
    ServerState State,
    bool StartedByAnyClaude,
    int? ProcessId,
    TimeSpan? Uptime,
    int Restarts,
    string? Message)
{
    /// <summary>The state as status and the dashboard write it: <c>starting</c>, <c>up</c>, <c>external</c>, …</summary>
    public string StateName => State switch
    {
        ServerState.NotStarted => "not-started",
        _ => State.ToString().ToLowerInvariant(),
    };
}
