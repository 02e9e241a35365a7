using System.CommandLine;
using Serverless.Local;
using Serverless.Local.Invoke;
using Serverless.Local.Migrate;
using Serverless.Local.Seed;
using Serverless.Local.Stats;
using Serverless.Local.Ttl;

// The project's one CLI: each command lives in its own folder and is listed here.
var serve = ServeCommand.Create();
var root = new RootCommand("The serverless backend's local stack and tools. With no command, runs the local stack (serve).")
{
    serve,
    InvokeCommand.Create(),
    TokenCommand.Create(),
    SeedCommand.Create(),
    MigrateCommand.Create(),
    StatsCommand.Create(),
    SweepCommand.Create(),
};
root.Action = serve.Action;

return await CommandLine.RunAsync(root, args);
