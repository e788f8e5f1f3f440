using System.Diagnostics;
using System.Text.Json;
using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Cli.Launcher;

namespace AnyClaude.Host.Tests.Cli;

/// <summary>Which proxy the control commands talk to: --port, ANYCLAUDE_PORT, the running sessions' records, the default.</summary>
public sealed class ProxyLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("anyclaude-sessions-").FullName;

    private string Folder => Path.Combine(_root, "sessions");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_running_session_is_found_while_it_runs_and_its_record_goes_with_it()
    {
        var sessions = new RunningSessions(Folder);
        using (sessions.Record(41234, _root))
        {
            Find(null, [], sessions).ShouldBe(new Uri("http://127.0.0.1:41234/"));
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode(Directory.GetFiles(Folder).Single()).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        Directory.GetFiles(Folder).ShouldBeEmpty();
        Find(null, [], sessions).ShouldBe(new Uri("http://127.0.0.1:8080/"));
    }

    [Fact]
    public void An_explicit_port_wins_then_ANYCLAUDE_PORT_and_zero_means_find_the_session()
    {
        var sessions = new RunningSessions(Folder);
        using var session = sessions.Record(41234, _root);

        Find(8181, new() { ["ANYCLAUDE_PORT"] = "9000" }, sessions).ShouldBe(new Uri("http://127.0.0.1:8181/"));
        Find(null, new() { ["ANYCLAUDE_PORT"] = "9000" }, sessions).ShouldBe(new Uri("http://127.0.0.1:9000/"));
        Find(null, new() { ["ANYCLAUDE_PORT"] = "0" }, sessions).ShouldBe(new Uri("http://127.0.0.1:41234/"));
        ProxyLocator.Find(null, new Dictionary<string, string?> { ["ANYCLAUDE_PORT"] = "abc" }, sessions, _root)
            .Problem.ShouldBe("ANYCLAUDE_PORT: 'abc' is not a whole number from 0 to 65535");
    }

    [Fact]
    public void Records_of_processes_that_are_gone_are_ignored_and_removed()
    {
        Directory.CreateDirectory(Folder);
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        ended.WaitForExit();
        Write(new SessionRecord(ended.Id, 40001, _root, DateTime.UtcNow));
        // This process's id, but not its start time: the id now belongs to another process.
        Write(new SessionRecord(Environment.ProcessId, 40002, _root, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        File.WriteAllText(Path.Combine(Folder, "999999.json"), "not json");

        Find(null, [], new RunningSessions(Folder)).ShouldBe(new Uri("http://127.0.0.1:8080/"));
        Directory.GetFiles(Folder).Select(Path.GetFileName).ShouldBe(["999999.json"]);
    }

    [Fact]
    public void The_session_started_in_this_folder_wins_over_one_started_later_elsewhere()
    {
        string self = Directory.CreateDirectory(Path.Combine(_root, "project")).FullName;
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            Write(new SessionRecord(Environment.ProcessId, 40010, self, started));
            Write(new SessionRecord(other.Id, 40020, Path.Combine(_root, "elsewhere"), other.StartTime.ToUniversalTime()));
            var sessions = new RunningSessions(Folder);

            sessions.Find(self)!.Port.ShouldBe(40010);
            sessions.Find(_root)!.Port.ShouldBe(40020, "elsewhere: the one started last");
        }
        finally
        {
            other.Kill();
            other.WaitForExit();
        }
    }

    private static Uri? Find(int? port, Dictionary<string, string?> environment, RunningSessions sessions) =>
        ProxyLocator.Find(port, environment, sessions, Path.GetTempPath()).Proxy;

    private void Write(SessionRecord record)
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, $"{record.ProcessId}.json"), JsonSerializer.Serialize(record));
    }
}
