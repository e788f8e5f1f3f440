namespace AnyClaude.TestSupport;

/// <summary>How a chat stream ended.</summary>
internal enum StreamOutcome
{
    /// <summary>Every frame (and <c>[DONE]</c> unless omitted) was written.</summary>
    Completed,

    /// <summary>The client went away first (<c>RequestAborted</c> fired).</summary>
    ClientAborted,

    /// <summary>The script cut the connection (<see cref="ScriptedResponse.BreakAfterChunks"/>).</summary>
    BrokenOnPurpose,

    /// <summary>The fake server was disposed mid-stream.</summary>
    ServerStopped,
}
