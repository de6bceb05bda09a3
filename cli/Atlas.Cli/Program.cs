using Atlas.Cli;

return await AtlasCli.RunAsync(args, CliEnvironment.FromConsole()).ConfigureAwait(false);
