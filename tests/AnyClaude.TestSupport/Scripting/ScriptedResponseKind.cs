namespace AnyClaude.TestSupport;

/// <summary>What kind of answer a <see cref="ScriptedResponse"/> is.</summary>
internal enum ScriptedResponseKind
{
    /// <summary>A model answer: reasoning, text, tool calls; streamed or not as the request asks.</summary>
    Completion,

    /// <summary>Verbatim <c>data:</c> payloads.</summary>
    Raw,

    /// <summary>A status and a raw body.</summary>
    HttpError,

    /// <summary>A status and a message, in the flavor's error shape.</summary>
    ServerError,

    /// <summary>The flavor's context-overflow error.</summary>
    ContextOverflow,
}
