using AnyClaude.Host.Cli.Commands;
using AnyClaude.Host.Diagnostics;
using Serilog;

Log.Logger = Logging.CreateBootstrapLogger();
try
{
    return await AnyClaudeCommand.RunAsync(args).ConfigureAwait(false);
}
finally
{
    await Log.CloseAndFlushAsync().ConfigureAwait(false);
}
