using System.Collections.Concurrent;
using System.Threading.Channels;

namespace AnyClaude.TestSupport;

/// <summary>What the fake server remembers: received requests, pending scripts and stream counters. Thread-safe.</summary>
internal sealed class ServerState
{
    private static readonly ScriptedResponse DefaultScript = ScriptedResponse.Text("Hello from the fake backend.");

    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly ConcurrentQueue<ScriptedResponse> _scripts = new();
    private readonly Channel<RecordedRequest> _chatRequests = Channel.CreateUnbounded<RecordedRequest>();
    private RecordedRequest? _lastChatRequest;
    private int _activeStreams;
    private int _abortedStreams;
    private int _completedStreams;
    private int _brokenStreams;

    /// <summary>False keeps only the last chat request (for long load runs, where a full history is itself a leak).</summary>
    public bool KeepHistory { get; init; } = true;

    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    public int AbortedStreams => Volatile.Read(ref _abortedStreams);

    public int CompletedStreams => Volatile.Read(ref _completedStreams);

    public int BrokenStreams => Volatile.Read(ref _brokenStreams);

    public int PendingScripts => _scripts.Count;

    public RecordedRequest? LastChatRequest
    {
        get
        {
            lock (_gate)
            {
                return _lastChatRequest;
            }
        }
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public void Record(RecordedRequest request, bool isChat)
    {
        lock (_gate)
        {
            if (KeepHistory)
            {
                _requests.Add(request);
            }

            if (isChat)
            {
                _lastChatRequest = request;
            }
        }

        if (isChat && KeepHistory)
        {
            _chatRequests.Writer.TryWrite(request);
        }
    }

    /// <summary>The next chat request not yet handed out, in arrival order.</summary>
    public ValueTask<RecordedRequest> NextChatRequestAsync(CancellationToken cancellationToken) =>
        _chatRequests.Reader.ReadAsync(cancellationToken);

    public void Enqueue(ScriptedResponse response) => _scripts.Enqueue(response);

    /// <summary>Chooses the answer from the request itself; when it returns null the queue is used.</summary>
    public Func<RecordedRequest, ScriptedResponse?>? Responder { get; set; }

    public ScriptedResponse NextScript(RecordedRequest request) =>
        Responder?.Invoke(request) ?? (_scripts.TryDequeue(out var script) ? script : DefaultScript);

    public void StreamStarted() => Interlocked.Increment(ref _activeStreams);

    public void StreamEnded(StreamOutcome outcome)
    {
        Interlocked.Decrement(ref _activeStreams);
        switch (outcome)
        {
            case StreamOutcome.Completed:
                Interlocked.Increment(ref _completedStreams);
                break;
            case StreamOutcome.ClientAborted:
                Interlocked.Increment(ref _abortedStreams);
                break;
            case StreamOutcome.BrokenOnPurpose:
                Interlocked.Increment(ref _brokenStreams);
                break;
            case StreamOutcome.ServerStopped:
                break;
        }
    }

    public void Complete() => _chatRequests.Writer.TryComplete();
}
