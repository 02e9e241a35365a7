using Serverless.Local;

return await CommandLine.RunAsync(CommandLine.CreateRoot(), args);
