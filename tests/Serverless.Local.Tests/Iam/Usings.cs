global using Serverless.Testing;
global using Xunit;
