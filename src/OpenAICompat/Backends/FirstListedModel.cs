namespace AnyClaude.OpenAICompat.Backends;

/// <summary>Remembers the first model a server lists, asking again only after a failure.</summary>
internal sealed class FirstListedModel
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _model;

    public async ValueTask<string?> GetAsync(Func<CancellationToken, Task<IReadOnlyList<Streaming.ChatModel>>> fetch, CancellationToken cancellationToken)
    {
        if (_model is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _model ??= (await fetch(cancellationToken).ConfigureAwait(false)).FirstOrDefault()?.Id;
            return _model;
        }
        finally
        {
            _gate.Release();
        }
    }
}
