using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serverless.Testing;

namespace Serverless.Api.Tests.Support;

/// <summary>The app with every category logging at Trace into <see cref="ApiFixture.Logs"/>, to check what reaches a log.</summary>
public sealed class TraceLoggingFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    protected override void Configure(WebApplicationBuilder builder)
    {
        Logs.MinimumLevel = LogLevel.Trace;
        // Configuration filters win over the builder's minimum, so both say Trace.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
    }
}
