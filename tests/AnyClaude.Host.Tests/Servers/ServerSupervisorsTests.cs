using AnyClaude.Host.Servers;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Servers;

/// <summary>Several backends' servers: one that cannot start leaves the others as they are, and only its requests get its message.</summary>
public sealed class ServerSupervisorsTests
{
    [Fact]
    public async Task A_server_that_cannot_start_fails_alone_and_its_requests_get_its_message()
    {
        var answering = new ServerSupervisor("up", new StartSettings(ServerCommand.Shell("exit 9")), _ => Task.FromResult(true), NullLogger.Instance);
        var broken = new ServerSupervisor("broken", new StartSettings(ServerCommand.Shell("echo 'no model' >&2; exit 3")), _ => Task.FromResult(false), NullLogger.Instance);
        await using var servers = new ServerSupervisors([answering, broken]);

        await servers.StartAllAsync(CancellationToken.None);

        servers.Statuses.Select(s => (s.Backend, s.State)).ShouldBe([("broken", ServerState.Failed), ("up", ServerState.External)]);
        await servers.WaitUntilUpAsync("up", CancellationToken.None);
        await servers.WaitUntilUpAsync("no-start-command", CancellationToken.None);
        var failure = await Should.ThrowAsync<ServerStartException>(servers.WaitUntilUpAsync("BROKEN", CancellationToken.None));
        failure.Message.ShouldBe("backend 'broken': its server command exited with code 3 before the server answered (command: echo 'no model' >&2; exit 3); it printed: no model");
    }
}
