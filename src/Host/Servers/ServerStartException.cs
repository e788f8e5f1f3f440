namespace AnyClaude.Host.Servers;

/// <summary>A backend's server could not be started; the message is one line naming the backend, the command and what it printed.</summary>
internal sealed class ServerStartException(string message) : Exception(message);
