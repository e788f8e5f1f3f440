using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AnyClaude.Host.Servers;

/// <summary>
/// One backend's model server. <see cref="EnsureStartedAsync"/>: a server that answers its health check is used as it
/// is (never started, never stopped); else the <c>start</c> command runs and the call completes once the server
/// answers, or fails (its command cannot run, ends first, or the timeout passes) with one message naming the backend,
/// the command and its last output. A server it started that ends later is started again after a back-off (1 s, 2 s,
/// 4 s … 30 s; back to 1 s after a minute up). <see cref="DisposeAsync"/> stops it: SIGTERM, then SIGKILL after
/// <see cref="StopGrace"/>; a <see cref="ProcessWatchdog"/> does the same if anyclaude is killed. Each output line
/// goes to the log at debug level; what a user should see (starting, loading progress with the server's last line
/// every <see cref="ProgressInterval"/>, up, failed, restarting) goes to <c>say</c>, else to the log at information.
/// </summary>
internal sealed partial class ServerSupervisor : IAsyncDisposable
{
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    internal static readonly TimeSpan FirstBackOff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan LongestBackOff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableUptime = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private const int LinesInMessage = 8;
    private const int LongestLineInMessage = 300;

    private readonly Func<CancellationToken, Task<bool>> _isHealthy;
    private readonly ILogger _logger;
    private readonly Action<string>? _say;
    private readonly TimeProvider _time;
    private readonly ServerOutput _output;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task? _ensure;
    private Task _supervision = Task.CompletedTask;
    private ServerProcess? _process;
    private ServerState _state = ServerState.NotStarted;
    private string? _message;
    private bool _startedByUs;
    private bool _handedOff;
    private long _upSince;
    private int _restarts;
    private int _disposed;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="backend">The backend's name, for every message.</param>
    /// <param name="isHealthy">True when the server serves (<see cref="ServerHealthChecks"/>); may throw when it cannot be reached.</param>
    /// <param name="say">Where the lines a user should see go (the launcher's stderr); null logs them at information.</param>
    public ServerSupervisor(string backend, StartSettings settings, Func<CancellationToken, Task<bool>> isHealthy, ILogger logger, Action<string>? say = null, TimeProvider? time = null)
    {
        Backend = backend;
        Settings = settings;
        _isHealthy = isHealthy;
        _logger = logger;
        _say = say;
        _time = time ?? TimeProvider.System;
        _output = new ServerOutput(line => LogOutput(_logger, Backend, line));
    }

    public string Backend { get; }

    public StartSettings Settings { get; }

    /// <summary>The last lines the server printed since its last start (at most <see cref="ServerOutput.Kept"/>).</summary>
    public IReadOnlyList<string> LastOutput => _output.Last();

    public ServerStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new ServerStatus(
                    Backend,
                    Settings.Command.Display,
                    _state,
                    _startedByUs,
                    _process is { HasExited: false } process ? process.Id : null,
                    _state == ServerState.Up ? _time.GetElapsedTime(_upSince) : null,
                    _restarts,
                    _message);
            }
        }
    }

    /// <summary>
    /// Makes sure the server answers: at once when it already does, else after starting it. Every caller gets the
    /// same outcome (the command runs once); throws <see cref="ServerStartException"/> when it could not be started.
    /// <paramref name="cancellationToken"/> stops only this caller's wait; <see cref="DisposeAsync"/> stops the start.
    /// </summary>
    public Task EnsureStartedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _ensure ??= EnsureAsync(_stopping.Token);
            return _ensure.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// For a request: returns once the server is up (at once when it is, or when nothing was asked of it), waits while it
    /// starts or restarts, and throws <see cref="ServerStartException"/> when its start failed.
    /// </summary>
    public async Task WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                switch (_state)
                {
                    case ServerState.NotStarted or ServerState.Up or ServerState.External:
                        return;
                    case ServerState.Failed or ServerState.Stopped:
                        throw new ServerStartException(_message ?? $"backend '{Backend}': its server is stopped");
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task EnsureAsync(CancellationToken stopping)
    {
        await Task.Yield();
        SetState(ServerState.Starting, null);
        if (await AnswersAsync(stopping).ConfigureAwait(false))
        {
            SetState(ServerState.External, $"backend '{Backend}' already answers: used as it is; anyclaude neither starts nor stops it");
            return;
        }

        Say($"backend '{Backend}': nothing answers, starting its server: {Settings.Command.Display}");
        lock (_gate)
        {
            _startedByUs = true;
        }

        try
        {
            await StartUntilHealthyAsync(stopping).ConfigureAwait(false);
        }
        catch (ServerStartException exception)
        {
            SetState(ServerState.Failed, exception.Message);
            Say(exception.Message, LogLevel.Error);
            throw;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            SetState(ServerState.Stopped, $"backend '{Backend}': anyclaude ended before its server answered");
            throw;
        }

        lock (_gate)
        {
            _supervision = _handedOff ? Task.CompletedTask : SuperviseAsync(stopping);
        }
    }

    /// <summary>Runs the command and waits for the health check; the server is up after it. Leaves no process behind when it throws.</summary>
    private async Task StartUntilHealthyAsync(CancellationToken stopping)
    {
        _output.Clear();
        if (!ServerProcess.TryStart(Settings, _output, StopGrace, out var process, out string? problem))
        {
            throw Failure($"its server command could not run: {problem}", printed: false);
        }

        lock (_gate)
        {
            _process = process;
            _handedOff = false;
        }

        LogStarted(_logger, Backend, process!.Id, process.OwnGroup);
        long started = _time.GetTimestamp();
        var nextProgress = ProgressInterval;
        bool handedOff = false;
        try
        {
            while (true)
            {
                if (!handedOff && process.HasExited)
                {
                    int code = await process.Exited.ConfigureAwait(false);
                    if (code != 0)
                    {
                        throw Failure($"its server command exited with code {code} before the server answered");
                    }

                    // A launcher (lms server start) that hands the server to a daemon and returns: wait for the server.
                    handedOff = true;
                }

                if (await AnswersAsync(stopping).ConfigureAwait(false))
                {
                    break;
                }

                var elapsed = _time.GetElapsedTime(started);
                if (elapsed >= Settings.Timeout)
                {
                    // Its lines before the stop: what it says while shutting down would push out why it was not ready.
                    var failure = Failure($"its server did not answer its health check within {Seconds(Settings.Timeout)} (startTimeoutSeconds), so it was stopped");
                    await process.StopAsync(StopGrace).ConfigureAwait(false);
                    throw failure;
                }

                if (elapsed >= nextProgress)
                {
                    nextProgress += ProgressInterval;
                    Say(_output.LastLine is { } line
                        ? $"backend '{Backend}': server loading, {Seconds(elapsed)}: {Shorten(line)}"
                        : $"backend '{Backend}': server loading, {Seconds(elapsed)}");
                }

                await Task.WhenAny(process.Exited, Task.Delay(ProbeInterval, _time, stopping)).ConfigureAwait(false);
                stopping.ThrowIfCancellationRequested();
            }
        }
        catch
        {
            await process.StopAsync(StopGrace).ConfigureAwait(false);
            lock (_gate)
            {
                _process = null;
            }

            process.Dispose();
            throw;
        }

        lock (_gate)
        {
            _handedOff = handedOff;
            _upSince = _time.GetTimestamp();
        }

        var took = _time.GetElapsedTime(started);
        if (handedOff)
        {
            SetState(ServerState.Up, $"backend '{Backend}': its start command handed the server to another process and ended; anyclaude does not restart that server");
            Say($"backend '{Backend}': its server answers after {Seconds(took)} (its start command ended; the server runs on its own)");
        }
        else
        {
            SetState(ServerState.Up, null);
            Say($"backend '{Backend}': its server answers after {Seconds(took)} (pid {process.Id})");
        }
    }

    /// <summary>Waits for the server it started to end, then starts it again after a back-off, until anyclaude stops.</summary>
    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var backOff = FirstBackOff;
        try
        {
            while (true)
            {
                ServerProcess process;
                lock (_gate)
                {
                    if (_process is null)
                    {
                        return;
                    }

                    process = _process;
                }

                int code = await process.Exited.WaitAsync(stopping).ConfigureAwait(false);
                TimeSpan uptime;
                lock (_gate)
                {
                    uptime = _time.GetElapsedTime(_upSince);
                    _process = null;
                }

                process.Dispose();
                if (uptime >= StableUptime)
                {
                    backOff = FirstBackOff;
                }

                string reason = Failure($"its server (pid {process.Id}) exited with code {code} after {Seconds(uptime)} up").Message;
                while (true)
                {
                    SetState(ServerState.Restarting, $"{reason}; starting it again in {Seconds(backOff)}");
                    Say(_message!, LogLevel.Warning);
                    await Task.Delay(backOff, _time, stopping).ConfigureAwait(false);
                    backOff = backOff * 2 < LongestBackOff ? backOff * 2 : LongestBackOff;
                    if (await AnswersAsync(stopping).ConfigureAwait(false))
                    {
                        lock (_gate)
                        {
                            _startedByUs = false;
                        }

                        SetState(ServerState.External, $"backend '{Backend}' answers again, started by someone else: used as it is; anyclaude neither starts nor stops it");
                        return;
                    }

                    Interlocked.Increment(ref _restarts);
                    try
                    {
                        await StartUntilHealthyAsync(stopping).ConfigureAwait(false);
                        break;
                    }
                    catch (ServerStartException exception)
                    {
                        reason = exception.Message;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the server anyclaude started (never one it found running) and waits for it to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Task ensure, supervision;
        lock (_gate)
        {
            ensure = _ensure ?? Task.CompletedTask;
            supervision = _supervision;
        }

        await Task.WhenAll(ensure, supervision).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        ServerProcess? process;
        lock (_gate)
        {
            process = _process;
            _process = null;
        }

        if (process is not null)
        {
            LogStopping(_logger, Backend, process.Id);
            await process.StopAsync(StopGrace).ConfigureAwait(false);
            process.Dispose();
        }

        if (Status is { StartedByAnyClaude: true, State: not ServerState.Failed and not ServerState.Stopped })
        {
            SetState(ServerState.Stopped, null);
        }

        _stopping.Dispose();
    }

    private async Task<bool> AnswersAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            return await _isHealthy(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not OutOfMemoryException)
        {
            return false;
        }
    }

    private void SetState(ServerState state, string? message)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _state = state;
            _message = message;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>One line: the backend, what happened, the command, and the server's last lines.</summary>
    private ServerStartException Failure(string what, bool printed = true)
    {
        string text = $"backend '{Backend}': {what} (command: {Settings.Command.Display})";
        if (printed)
        {
            var lines = _output.Last(LinesInMessage);
            text += lines.Count == 0 ? "; it printed nothing" : $"; it printed: {string.Join(" | ", lines.Select(Shorten))}";
        }

        return new ServerStartException(text);
    }

    private void Say(string line, LogLevel level = LogLevel.Information)
    {
        if (_say is { } say)
        {
            say(line);
        }

        LogSaid(_logger, level, line);
    }

    private static string Shorten(string line) => line.Length <= LongestLineInMessage ? line : string.Concat(line.AsSpan(0, LongestLineInMessage), "…");

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s";

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: server: {Line}")]
    private static partial void LogOutput(ILogger logger, string backend, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "backend {Backend}: server started, pid {ProcessId} (own process group: {OwnGroup})")]
    private static partial void LogStarted(ILogger logger, string backend, int processId, bool ownGroup);

    [LoggerMessage(Level = LogLevel.Information, Message = "backend {Backend}: stopping its server (pid {ProcessId})")]
    private static partial void LogStopping(ILogger logger, string backend, int processId);

    [LoggerMessage(Message = "{Line}")]
    private static partial void LogSaid(ILogger logger, LogLevel level, string line);
}
