using System.Text;
using AnyClaude.Host.Servers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AnyClaude.Host.Tests.Servers;

/// <summary>
/// The test assembly's entry point, for one test only: <c>dotnet AnyClaude.Host.Tests.dll supervise FILE</c> reads a
/// backend's settings (JSON: <c>kind</c>, <c>url</c>, <c>start</c>, …) from FILE, starts its server with a
/// <see cref="ServerSupervisor"/>, prints <c>up PID</c> and waits to be killed: a stand-in for an anyclaude that is
/// SIGKILLed (<see cref="ServerSupervisorTests"/>). The test runner never calls it.
/// </summary>
internal static class SupervisorChild
{
    public const string Verb = "supervise";

    public static async Task<int> Main(string[] args)
    {
        if (args is not [Verb, { } file])
        {
            await Console.Error.WriteLineAsync($"usage: {Verb} SETTINGS.json");
            return 2;
        }

        var backend = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes($$"""{ "backends": { "child": {{await File.ReadAllTextAsync(file)}} } }""")))
            .Build()
            .GetSection("backends:child");
        var url = new Uri(backend["url"]!);
        var errors = new List<string>();
        var settings = StartSettingsReader.Read(backend, backend["kind"]!, url, errors);
        if (settings is null)
        {
            await Console.Error.WriteLineAsync(string.Join('\n', errors));
            return 2;
        }

        using var http = new HttpClient();
        var supervisor = new ServerSupervisor("child", settings, ServerHealthChecks.For(backend["kind"]!, url, http), NullLogger.Instance);
        await supervisor.EnsureStartedAsync();
        Console.WriteLine($"up {supervisor.Status.ProcessId}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
