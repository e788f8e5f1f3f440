



using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Configuration;
using AnyClaude.Host.Hosting;

namespace AnyClaude.Host.Tests.Configuration;

/// <summary>The listening address, the access key, the first-byte timeout and the request limits.</summary>
public sealed class HardeningSettingsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("anyclaude-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigurationResult Load(Dictionary<string, string?>? environment = null, CommandLineSettings? commandLine = null) =>
        ConfigurationLoader.Load(commandLine ?? new CommandLineSettings(), ProxyHarness.Factories, environment ?? [], _directory);

    [Fact]
    public void Defaults_are_loopback_no_key_a_generous_first_byte_timeout_and_limits_far_above_claude_code()
    {
        var result = Load();
        result.Errors.ShouldBeEmpty();
        var options = result.Options!;
        options.Host.ShouldBe("127.0.0.1");
        options.ApiKey.ShouldBeNull();
        options.FirstByteTimeout.ShouldBe(TimeSpan.FromSeconds(600));
        options.Limits.MaxJsonDepth.ShouldBe(64);
        options.Limits.MaxMessages.ShouldBeGreaterThanOrEqualTo(10_000);
        options.Limits.MaxBlocksPerMessage.ShouldBeGreaterThanOrEqualTo(1_000);
        options.Limits.MaxTools.ShouldBeGreaterThanOrEqualTo(500);
        ProxyRunner.ClientToken(options).ShouldBe("anyclaude");
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("*")]
    [InlineData("192.168.1.20")]
    [InlineData("::")]
    public void A_non_loopback_host_without_an_access_key_is_refused(string host)
    {
        var result = Load(new() { ["ANYCLAUDE_HOST"] = host });
        result.Options.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().ShouldContain("ANYCLAUDE_API_KEY");
        result.Errors[0].ShouldStartWith("host:");

        var fromCommandLine = Load(commandLine: new CommandLineSettings { Host = host });
        fromCommandLine.Options.ShouldBeNull();
    }

    [Fact]
    public void A_non_loopback_host_with_an_access_key_is_accepted_and_claude_gets_that_key()
    {
        var result = Load(new() { ["ANYCLAUDE_HOST"] = "0.0.0.0", ["ANYCLAUDE_API_KEY"] = "proxy-key-1" });
        result.Errors.ShouldBeEmpty();
        result.Options!.Host.ShouldBe("0.0.0.0");
        result.Options.ApiKey.ShouldBe("proxy-key-1");
        ProxyRunner.ClientToken(result.Options).ShouldBe("proxy-key-1");

        File.WriteAllText(Path.Combine(_directory, "anyclaude.json"), """{"apiKey": "from-file", "host": "::1"}""");
        var fromFile = Load(commandLine: new CommandLineSettings { Host = "0.0.0.0" });
        fromFile.Errors.ShouldBeEmpty();
        fromFile.Options!.Host.ShouldBe("0.0.0.0");
        fromFile.Options.ApiKey.ShouldBe("from-file");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Loopback_hosts_need_no_key(string host)
    {
        var result = Load(new() { ["ANYCLAUDE_HOST"] = host });
        result.Errors.ShouldBeEmpty();
        result.Options!.Host.ShouldBe(host);
    }

    [Fact]
    public void A_host_that_is_not_an_address_is_one_clear_error()
    {
        var result = Load(new() { ["ANYCLAUDE_HOST"] = "my laptop" });
        result.Options.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().ShouldBe("host: 'my laptop' is not an IP address, 'localhost' or '*'");
    }

    [Fact]
    public void Timeout_and_limits_are_read_and_checked()
    {
        var options = Load(new()
        {
            ["ANYCLAUDE_FIRSTBYTETIMEOUTSECONDS"] = "1200",
            ["ANYCLAUDE_MAXJSONDEPTH"] = "32",
            ["ANYCLAUDE_MAXMESSAGES"] = "7",
            ["ANYCLAUDE_MAXBLOCKSPERMESSAGE"] = "8",
            ["ANYCLAUDE_MAXTOOLS"] = "9",
        }).Options!;
        options.FirstByteTimeout.ShouldBe(TimeSpan.FromSeconds(1200));
        options.Limits.ShouldBe(new RequestLimits { MaxJsonDepth = 32, MaxMessages = 7, MaxBlocksPerMessage = 8, MaxTools = 9 });

        var bad = Load(new() { ["ANYCLAUDE_FIRSTBYTETIMEOUTSECONDS"] = "0", ["ANYCLAUDE_MAXJSONDEPTH"] = "500" });
        bad.Options.ShouldBeNull();
        bad.Errors.Count.ShouldBe(2);
        bad.Errors.ShouldContain(e => e.StartsWith("firstByteTimeoutSeconds:", StringComparison.Ordinal));
        bad.Errors.ShouldContain(e => e.StartsWith("maxJsonDepth:", StringComparison.Ordinal));
    }

    [Fact]
    public void The_proxy_itself_refuses_to_listen_off_loopback_without_a_key()
    {
        var options = new AnyClaudeOptions
        {
            Mode = "mlx-lm",
            Host = "0.0.0.0",
            Port = 0,
            Backends = new Dictionary<string, BackendOptions> { ["mlx-lm"] = new() { Name = "mlx-lm", Kind = "mlx-lm", Url = new Uri("http://127.0.0.1:1/v1") } },
        };
        Should.Throw<InvalidOperationException>(() => ProxyApp.Build(options, ProxyHarness.Factories, _ => { }))
            .Message.ShouldContain("access key");
    }
}
