using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Streaming;

namespace AnyClaude.Abstractions.Responses;

/// <summary>
/// The shared base of response steps that find markers in the model's text (a printed tool call, a think tag):
/// the text of each upstream text block goes through a <see cref="HeldTextScanner"/>, which lets it flow, holds it
/// back while it may still be a marker, and releases it as text or as blocks. Other blocks pass through. Every
/// block is re-indexed in output order, and <c>stop_reason</c> becomes <c>tool_use</c> when a call was made. A scanner
/// that ends the answer (<see cref="ResponseBlockWriter.StopAt"/>) makes the step stop reading and dispose the upstream
/// stream, which cancels the upstream read.
/// </summary>
public abstract class HeldTextTransform : IResponseTransform
{
    public abstract string Name { get; }

    /// <summary>The scanner for one answer, or null when this step has nothing to do for the request (the events then pass untouched).</summary>
    protected abstract HeldTextScanner? CreateScanner(ResponseContext context);

    public IAsyncEnumerable<MessageStreamEvent> Apply(IAsyncEnumerable<MessageStreamEvent> events, ResponseContext context) =>
        CreateScanner(context) is { } scanner ? new Scanned(events, scanner, context.CancellationToken) : events;

    private sealed class Scanned(IAsyncEnumerable<MessageStreamEvent> events, HeldTextScanner scanner, CancellationToken cancellationToken) : IAsyncEnumerable<MessageStreamEvent>
    {
        private int _enumerated;

        public IAsyncEnumerator<MessageStreamEvent> GetAsyncEnumerator(CancellationToken enumeratorToken = default)
        {
            // The scanner holds one answer's state.
            if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            {
                throw new InvalidOperationException("a response step's output is enumerated once");
            }

            var token = enumeratorToken.CanBeCanceled ? enumeratorToken : cancellationToken;
            return new Enumerator(events.GetAsyncEnumerator(token), scanner, token);
        }
    }

    /// <summary>
    /// Written out rather than an async iterator: an answer is one event per token, and when the upstream event is
    /// already there (the usual case) this completes synchronously, without a state machine step per event.
    /// </summary>
    private sealed class Enumerator(IAsyncEnumerator<MessageStreamEvent> upstream, HeldTextScanner scanner, CancellationToken cancellationToken) : IAsyncEnumerator<MessageStreamEvent>
    {
        private readonly ResponseBlockWriter _output = new();
        private int _read;
        private bool _inText;
        private bool _ended;
        private bool _done;
        private bool _upstreamDisposed;
        private Usage? _startUsage;
        private int _upstreamDeltas;

        public MessageStreamEvent Current { get; private set; } = null!;

        private List<MessageStreamEvent> Pending => _output.Pending;

        public ValueTask<bool> MoveNextAsync()
        {
            while (true)
            {
                if (TakePending())
                {
                    return new ValueTask<bool>(true);
                }

                if (_done)
                {
                    return new ValueTask<bool>(false);
                }

                var move = upstream.MoveNextAsync();
                if (!move.IsCompletedSuccessfully)
                {
                    return AwaitAsync(move);
                }

                Step(move.Result);
                if (_output.StoppedBy is not null && !_done)
                {
                    return StopAsync();
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            if (_upstreamDisposed)
            {
                return ValueTask.CompletedTask;
            }

            _upstreamDisposed = true;
            return upstream.DisposeAsync();
        }

        private async ValueTask<bool> AwaitAsync(ValueTask<bool> move)
        {
            Step(await move.ConfigureAwait(false));
            if (_output.StoppedBy is not null && !_done)
            {
                return await StopAsync().ConfigureAwait(false);
            }

            return await MoveNextAsync().ConfigureAwait(false);
        }

        /// <summary>The scanner ended the answer: nothing more is read, and the upstream enumerator is disposed at once.</summary>
        private async ValueTask<bool> StopAsync()
        {
            _done = true;
            await DisposeAsync().ConfigureAwait(false);
            var usage = await scanner.UsageAtStopAsync(_startUsage, _upstreamDeltas, cancellationToken).ConfigureAwait(false);
            _inText = false;
            _output.CloseOpen();
            _output.Add(new MessageDeltaEvent(new MessageDelta(StopReasons.StopSequence, _output.StoppedBy), usage));
            _output.Add(MessageStopEvent.Instance);
            _ended = true;
            return await MoveNextAsync().ConfigureAwait(false);
        }

        private bool TakePending()
        {
            var pending = Pending;
            if (_read >= pending.Count)
            {
                return false;
            }

            Current = pending[_read++];
            if (_read == pending.Count)
            {
                pending.Clear();
                _read = 0;
            }

            return true;
        }

        private void Step(bool more)
        {
            if (more)
            {
                Handle(upstream.Current);
                return;
            }

            _done = true;
            if (!_ended)
            {
                // The upstream stream ended early: whatever was held goes out as it was, and the host reports the break.
                EndText();
                _output.CloseOpen();
            }
        }

        private void Handle(MessageStreamEvent e)
        {
            switch (e)
            {
                case ContentBlockDeltaEvent { Delta: TextDelta delta } textDelta when _inText:
                    _upstreamDeltas++;
                    scanner.Write(delta.Text, textDelta, _output);
                    break;
                case ContentBlockStartEvent { ContentBlock: TextBlock text }:
                    _inText = true;
                    _output.BeginUpstreamText();
                    scanner.Write(text.Text, null, _output);
                    break;
                case ContentBlockStartEvent start:
                    EndText();
                    _output.PassStart(start);
                    break;
                case ContentBlockDeltaEvent delta:
                    _upstreamDeltas++;
                    _output.PassDelta(delta);
                    break;
                case ContentBlockStopEvent when _inText:
                    EndText();
                    break;
                case ContentBlockStopEvent stop:
                    _output.PassStop(stop);
                    break;
                case MessageDeltaEvent end:
                    EndText();
                    _output.End(end);
                    _ended = true;
                    break;
                case ErrorEvent:
                    EndText();
                    _output.CloseOpen();
                    _output.Add(e);
                    break;
                case MessageStartEvent start:
                    _startUsage = start.Message.Usage;
                    _output.Add(e);
                    break;
                default:
                    _output.Add(e);
                    break;
            }
        }

        private void EndText()
        {
            if (_inText)
            {
                scanner.Flush(_output);
                _output.EndUpstreamText();
                _inText = false;
            }
        }
    }
}
