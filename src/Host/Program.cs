using AnyClaude.Host.Cli;

return await AnyClaudeCommand.RunAsync(args).ConfigureAwait(false);
