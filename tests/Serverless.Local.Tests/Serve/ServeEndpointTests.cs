using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary>Changes DYNAMODB_ENDPOINT, which is process-wide: runs in the assembly's non-parallel collection.</summary>
[Collection(typeof(Serverless.Local.Tests.DynamoDbLocal.EnvironmentChangingTests))]
public sealed class ServeEndpointTests
{
    [Fact]
    public async Task Serve_with_DYNAMODB_ENDPOINT_at_a_closed_port_says_in_one_line_what_to_start_or_unset()
    {
        var endpoint = ClosedPort.Endpoint();
        using var variable = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, endpoint.ToString());

        var result = await Cli.RunRootAsync("serve", "--api-port", "0");

        Assert.Equal(CommandLine.Failure, result.ExitCode);
        var line = Assert.Single(result.Error.TrimEnd('\n').Split('\n'));
        Assert.Equal($"error: serve: cannot reach DynamoDB at {endpoint} (connection refused); start it, or unset DYNAMODB_ENDPOINT and serve starts DynamoDB Local itself.", line);
    }
}
