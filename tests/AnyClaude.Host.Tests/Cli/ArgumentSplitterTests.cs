using AnyClaude.Host.Cli;

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
    public void Anyclaude_options_come_first_and_the_rest_goes_to_claude_unchanged(string args, string own, string claude)
    {
        var (ownPart, claudePart) = ArgumentSplitter.Split(Split(args));

        ownPart.ShouldBe(Split(own));
        claudePart.ShouldBe(Split(claude));
    }

    [Fact]
    public void Arguments_with_spaces_are_passed_as_one()
    {
        var (_, claude) = ArgumentSplitter.Split(["--mode", "mlx-lm", "-p", "explain this repo", "--allowedTools", "Read Edit"]);

        claude.ShouldBe(["-p", "explain this repo", "--allowedTools", "Read Edit"]);
    }

    private static string[] Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
