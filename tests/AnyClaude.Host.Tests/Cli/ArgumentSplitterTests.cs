using System.CommandLine;
using AnyClaude.Host.Cli.Commands;

namespace AnyClaude.Host.Tests.Cli;

public sealed class ArgumentSplitterTests
{
    [Theory]
    [InlineData("", "", "")]
    [InlineData("--mode lmstudio --port 9000", "--mode lmstudio --port 9000", "")]
    [InlineData("--port=9000 --proxy-only", "--port=9000 --proxy-only", "")]
    [InlineData("-p hello --output-format json", "", "-p hello --output-format json")]
    [InlineData("--mode lmstudio -p hello --debug", "--mode lmstudio", "-p hello --debug")]
    [InlineData("--debug 1 -- --debug", "--debug 1", "--debug")]
    [InlineData("-- --mode x", "", "--mode x")]
    [InlineData("--config a.json --resume", "--config a.json", "--resume")]
    [InlineData("plugins", "plugins", "")]
    [InlineData("plugins --plugins /tmp/p", "plugins --plugins /tmp/p", "")]
    [InlineData("-p plugins", "", "-p plugins")]
    [InlineData("mode lmstudio --port 9000", "mode lmstudio --port 9000", "")]
    [InlineData("status", "status", "")]
    [InlineData("-p status", "", "-p status")]
    [InlineData("status --watch", "status --watch", "")]
    [InlineData("statusline --port 8123", "statusline --port 8123", "")]
    [InlineData("doctor --mode lmstudio", "doctor --mode lmstudio", "")]
    [InlineData("-- doctor", "", "doctor")]
    [InlineData("--scripts ./my-scripts --mode lmstudio -p hi", "--scripts ./my-scripts --mode lmstudio", "-p hi")]
    [InlineData("--host 0.0.0.0 --port 9000 -p hi", "--host 0.0.0.0 --port 9000", "-p hi")]
    [InlineData("--host=::1 --continue", "--host=::1", "--continue")]
    [InlineData("--proxy-only --mode lmstudio --port 9000", "--proxy-only --mode lmstudio --port 9000", "")]
    [InlineData("--proxy-only -p hi", "--proxy-only", "-p hi")]
    [InlineData("ui", "ui", "")]
    [InlineData("ui --port 8181", "ui --port 8181", "")]
    [InlineData("--port 8181 status", "status --port 8181", "")]
    [InlineData("--port=8181 status --json", "status --port=8181 --json", "")]
    [InlineData("--mode lmstudio doctor", "doctor --mode lmstudio", "")]
    [InlineData("--mode status", "--mode status", "")]
    [InlineData("--port 8181 -p status", "--port 8181", "-p status")]
    public void Anyclaude_options_come_first_and_the_rest_goes_to_claude_unchanged(string args, string own, string claude)
    {
        var (ownPart, claudePart) = ArgumentSplitter.Split(Split(args), Root);

        ownPart.ShouldBe(Split(own));
        claudePart.ShouldBe(Split(claude));
    }

    [Fact]
    public void Arguments_with_spaces_are_passed_as_one()
    {
        var (_, claude) = ArgumentSplitter.Split(["--mode", "mlx-lm", "-p", "explain this repo", "--allowedTools", "Read Edit"], Root);

        claude.ShouldBe(["-p", "explain this repo", "--allowedTools", "Read Edit"]);
    }

    [Fact]
    public void Every_declared_command_is_recognised_as_the_first_word_and_after_the_options()
    {
        Root.Subcommands.Count.ShouldBeGreaterThanOrEqualTo(7);
        foreach (var command in Root.Subcommands)
        {
            var (own, claude) = ArgumentSplitter.Split([command.Name], Root);
            own.ShouldBe([command.Name], command.Name);
            claude.ShouldBeEmpty(command.Name);
            (own, claude) = ArgumentSplitter.Split(["--port", "8181", command.Name], Root);
            own.ShouldBe([command.Name, "--port", "8181"], command.Name);
            claude.ShouldBeEmpty(command.Name);
        }
    }

    private static RootCommand Root { get; } = AnyClaudeCommand.Build(() => []);

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
