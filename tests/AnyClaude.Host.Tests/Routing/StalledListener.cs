using System.Net.Sockets;
using System.Net;

namespace AnyClaude.Host.Tests.Routing;

/// <summary>
/// A port whose listen queue is full and never drained: the kernel drops further connection attempts, so a client
/// connecting to it waits until its connect timeout, as with a server that is hung or a host that does not answer.
/// </summary>
internal sealed class StalledListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public StalledListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        for (int i = 0; i < 4; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                filler.Connect(IPAddress.Loopback, Port);
            }
            catch (SocketException)
            {
                // In progress (or dropped): either way it occupies the queue.
            }

            _fillers.Add(filler);
        }
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/v1");

    /// <summary>Whether a connect to the port really hangs here (it needs the kernel to drop SYNs on a full queue).</summary>
    public bool Stalls()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var connect = probe.ConnectAsync(IPAddress.Loopback, Port);
        return !connect.Wait(TimeSpan.FromMilliseconds(300));
    }

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
