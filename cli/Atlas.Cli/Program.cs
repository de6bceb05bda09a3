using System;
using Atlas.Cli;

return AtlasCli.Run(args, Console.Out, Console.Error);
