using Serverless.Data;
using Serverless.Data.Products;
using Serverless.Domain.Products;
using Serverless.Data.Table;
using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.Serve;

/// <summary>
/// The stack's stream functions log where <see cref="LocalStackOptions.FunctionLog"/> says (a benchmark or a tool
/// that embeds the stack keeps them out of its own output). The stack points the functions at itself through the
/// process's environment, so this runs in the non-parallel collection.
/// </summary>
[Collection(typeof(Serverless.Local.Tests.DynamoDbLocal.EnvironmentChangingTests))]
public sealed class FunctionLogTests
{
    [Fact]
    public async Task The_stream_functions_write_their_log_lines_to_the_stream_given()
    {
        var ct = TestContext.Current.CancellationToken;
        using var endpoint = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);
        using var tableName = new EnvironmentVariable(LocalStack.TableNameVariable, "function-log-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new LockedMemoryStream();
        await using (var stack = await LocalStack.StartAsync(
            new LocalStackOptions
            {
                DynamoDb = new DynamoDbLocalOptions { Port = 0, Storage = DynamoDbLocalStorage.Memory },
                ApiPort = 0,
                TemplatePath = RepoPaths.Of("template.yaml"),
                FailureDirectory = Path.Combine(Path.GetTempPath(), "function-log-" + Guid.NewGuid().ToString("N")),
                FunctionLog = log,
            },
            TextWriter.Null,
            ct))
        {
            // A product written by an application: the audit function's filter lets its INSERT through.
            var products = new ProductRepository(new TableAccess(stack.Client, new TableOptions { TableName = stack.TableName, CursorSigningKey = new string('k', 32) }, TimeProvider.System));
            await products.CreateAsync(new Product { Id = Guid.NewGuid(), Name = "Tea", Price = 3.5m }, "user:shop", ct);

            await Eventually.WaitUntilAsync(
                () => Task.FromResult(log.Text().Contains("Serverless.Streams.Audit.AuditFunction", StringComparison.Ordinal)),
                "the audit function logged its batch to the stream given", ct, TimeSpan.FromSeconds(60));
        }

        Assert.All(log.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("{\"timestamp\":", line, StringComparison.Ordinal));
    }

    /// <summary>A memory stream the functions' logger and the test read at once.</summary>
    private sealed class LockedMemoryStream : MemoryStream
    {
        private readonly Lock gate = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (gate)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public string Text()
        {
            lock (gate)
            {
                return System.Text.Encoding.UTF8.GetString(GetBuffer(), 0, (int)Length);
            }
        }
    }
}
