using System.CommandLine;
using Serverless.Local;

// The project's one CLI: each command lives in its own folder and is listed here.
var serve = ServeCommand.Create();
var root = new RootCommand("The serverless backend's local stack and tools. With no command, runs the local stack (serve).");
root.Subcommands.Add(serve);
root.Action = serve.Action;

return await CommandLine.RunAsync(root, args);
