namespace AnyClaude.Abstractions.Backends;

/// <summary>Where a prompt's token count comes from, so its figure can be trusted as far as it deserves.</summary>
public enum TokenCountSource
{
    /// <summary>About four bytes of the rendered prompt a token.</summary>
    Estimate,

    /// <summary>The estimate, scaled by what the server reported for earlier turns of the same conversation.</summary>
    CalibratedEstimate,

    /// <summary>The model's own tokenizer files, counted locally.</summary>
    Tokenizer,

    /// <summary>The server counted the rendered prompt itself (<c>/tokenize</c>, its own <c>count_tokens</c>, …).</summary>
    Server,
}

/// <summary>A prompt's size in tokens and where the figure comes from.</summary>
public readonly record struct TokenCount(int Tokens, TokenCountSource Source)
{
    /// <summary>The name used on the wire (the <c>anyclaude-token-count</c> header): <c>server</c>, <c>tokenizer</c>, <c>calibrated-estimate</c>, <c>estimate</c>.</summary>
    public string SourceName => Source switch
    {
        TokenCountSource.Server => "server",
        TokenCountSource.Tokenizer => "tokenizer",
        TokenCountSource.CalibratedEstimate => "calibrated-estimate",
        _ => "estimate",
    };
}
