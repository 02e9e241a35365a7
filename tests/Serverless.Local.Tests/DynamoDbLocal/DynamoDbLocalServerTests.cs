using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Serverless.DynamoDbLocal;
using Serverless.Local.Tests.Support;
using Serverless.Testing;
using Xunit;

namespace Serverless.Local.Tests.DynamoDbLocal;

public sealed class DynamoDbLocalServerTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_table_made_by_one_client_is_seen_by_a_client_with_other_credentials()
    {
        var table = await CreateTableAsync(fixture.Client);

        // -sharedDb: without it DynamoDB Local keeps one database per access key and region.
        // (DynamoDB Local accepts access key ids of letters and digits only.)
        using var other = new AmazonDynamoDBClient(
            new BasicAWSCredentials("someoneElse", "secret"),
            new AmazonDynamoDBConfig { ServiceURL = fixture.ServiceUrl.ToString(), AuthenticationRegion = "eu-west-1" });
        var described = await other.DescribeTableAsync(table, Ct);

        Assert.Equal(table, described.Table.TableName);
    }

    [Fact]
    public async Task A_started_server_answers_on_its_own_port_and_is_gone_after_dispose()
    {
        var server = await DynamoDbLocalServer.StartAsync(ct: Ct);
        Assert.True(server.Owned);
        Assert.NotEqual(fixture.ServiceUrl.Port, server.ServiceUrl.Port);
        using (var client = server.CreateClient())
        {
            var tables = await client.ListTablesAsync(new ListTablesRequest(), Ct);
            Assert.Empty(tables.TableNames ?? []);
        }

        await server.DisposeAsync();

        using var tcp = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => tcp.ConnectAsync(server.ServiceUrl.Host, server.ServiceUrl.Port, Ct).AsTask());
    }

    [Fact]
    public async Task What_DynamoDB_Local_prints_once_it_is_up_goes_to_the_log()
    {
        // An InternalFailure names no cause; the emulator's own output does. A thread dump (SIGQUIT) is output on demand.
        var log = new LockedLines();
        await using var server = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Memory }, log, Ct);
        var startup = log.Text;
        using (var signal = System.Diagnostics.Process.Start("kill", ["-QUIT", server.ProcessId!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync(Ct);
        }

        await Eventually.WaitUntilAsync(() => log.Text.Contains("DynamoDB Local: Full thread dump", StringComparison.Ordinal), "the thread dump in the log", Ct, TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("DynamoDB Local: ", startup, StringComparison.Ordinal);
        using var client = server.CreateClient();
        Assert.NotNull(await client.ListTablesAsync(new ListTablesRequest(), Ct));
        // Its one warning of every run (the JAXB fallback of its own SDK) is left out, with the line that dates it.
        Assert.DoesNotContain("JAXB", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("JulLog", log.Text, StringComparison.Ordinal);
    }

    /// <summary>A log the test may read while the server's output threads write to it.</summary>
    private sealed class LockedLines : TextWriter
    {
        private readonly System.Text.StringBuilder _text = new();

        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void WriteLine(string? value)
        {
            lock (_text)
            {
                _text.AppendLine(value);
            }
        }
    }

    [Fact]
    public async Task A_scratch_database_is_on_disk_tuned_for_speed_and_deleted_when_the_server_stops()
    {
        var log = new StringWriter();
        var server = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Scratch }, log, Ct);
        var scratch = server.ScratchPath;
        try
        {
            Assert.NotNull(scratch);
            Assert.Contains("SQLite tuned (1 database): PRAGMA page_size=4096; VACUUM; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE", log.ToString(), StringComparison.Ordinal);
            using var client = server.CreateClient();
            var table = await CreateTableAsync(client);
            await client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["PK"] = new("a"), ["n"] = new() { N = "1" } }, Ct);

            var read = await client.GetItemAsync(new GetItemRequest { TableName = table, Key = new() { ["PK"] = new("a") }, ConsistentRead = true }, Ct);

            Assert.Equal("1", read.Item["n"].N);
            var file = Path.Combine(scratch, "shared-local-instance.db");
            Assert.True(File.Exists(file), "the database is a file in the scratch folder, not memory");

            // The database header's page size (bytes 16-17, big-endian): 4 KB, where DynamoDB Local's SQLite makes 1 KB.
            var header = new byte[100];
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                stream.ReadExactly(header);
            }

            Assert.Equal(4096, (header[16] << 8) | header[17]);
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(Directory.Exists(scratch));
    }

    [Fact]
    public async Task Every_change_to_a_tables_schema_is_seen_by_the_next_item_operation_though_schemas_are_cached()
    {
        var log = new StringWriter();
        await using var server = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Scratch }, log, Ct);
        Assert.Contains("DynamoDB Local table schemas cached: each parsed once per version", log.ToString(), StringComparison.Ordinal);
        using var client = server.CreateClient();
        var table = await CreateTableAsync(client);
        for (var i = 0; i < 5; i++)
        {
            await PutAsync(client, table, $"before-{i}", "blue");
        }

        // A new index: items written after it are in it (the cached schema without it would leave them out).
        await client.UpdateTableAsync(
            new UpdateTableRequest
            {
                TableName = table,
                AttributeDefinitions = [new AttributeDefinition("PK", ScalarAttributeType.S), new AttributeDefinition("colour", ScalarAttributeType.S)],
                GlobalSecondaryIndexUpdates =
                [
                    new GlobalSecondaryIndexUpdate
                    {
                        Create = new CreateGlobalSecondaryIndexAction
                        {
                            IndexName = "ByColour",
                            KeySchema = [new KeySchemaElement("colour", KeyType.HASH)],
                            Projection = new Projection { ProjectionType = ProjectionType.KEYS_ONLY },
                        },
                    },
                ],
            },
            Ct);
        await WaitForIndexAsync(client, table, "ByColour", present: true);
        await PutAsync(client, table, "after", "blue");
        await PutAsync(client, table, "other", "red");
        var blue = await client.QueryAsync(
            new QueryRequest
            {
                TableName = table,
                IndexName = "ByColour",
                KeyConditionExpression = "colour = :c",
                ExpressionAttributeValues = new() { [":c"] = new("blue") },
            },
            Ct);
        Assert.Contains(blue.Items, item => item["PK"].S == "after");
        var typeClash = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.PutItemAsync(
            table, new Dictionary<string, AttributeValue> { ["PK"] = new("bad"), ["colour"] = new() { N = "1" } }, Ct));
        Assert.Contains("Type mismatch", typeClash.Message, StringComparison.Ordinal);

        // The index gone: it can no longer be queried, and a number under its key is an ordinary attribute again.
        await client.UpdateTableAsync(
            new UpdateTableRequest { TableName = table, GlobalSecondaryIndexUpdates = [new GlobalSecondaryIndexUpdate { Delete = new DeleteGlobalSecondaryIndexAction { IndexName = "ByColour" } }] },
            Ct);
        await WaitForIndexAsync(client, table, "ByColour", present: false);
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["PK"] = new("number"), ["colour"] = new() { N = "1" } }, Ct);
        await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.QueryAsync(
            new QueryRequest { TableName = table, IndexName = "ByColour", KeyConditionExpression = "colour = :c", ExpressionAttributeValues = new() { [":c"] = new("blue") } }, Ct));

        // The same name made again with another key: items are held to the new key.
        await client.DeleteTableAsync(table, Ct);
        await client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = table,
                KeySchema = [new KeySchemaElement("PK", KeyType.HASH), new KeySchemaElement("SK", KeyType.RANGE)],
                AttributeDefinitions = [new AttributeDefinition("PK", ScalarAttributeType.S), new AttributeDefinition("SK", ScalarAttributeType.S)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
            },
            Ct);
        await Assert.ThrowsAsync<AmazonDynamoDBException>(() => PutAsync(client, table, "no-sort-key", "blue"));
        await client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["PK"] = new("a"), ["SK"] = new("b") }, Ct);
        var count = await client.ScanAsync(new ScanRequest { TableName = table, Select = Select.COUNT }, Ct);
        Assert.Equal(1, count.Count);
    }

    /// <summary>
    /// DynamoDB Local makes an index's columns after UpdateTable has answered (an item written before that fails with
    /// a 500, with or without the launcher), so a writer waits for the index as a client of DynamoDB waits for ACTIVE.
    /// </summary>
    private static async Task WaitForIndexAsync(IAmazonDynamoDB client, string table, string index, bool present)
    {
        for (var attempt = 0; ; attempt++)
        {
            var described = await client.DescribeTableAsync(table, Ct);
            var found = described.Table.GlobalSecondaryIndexes?.FirstOrDefault(i => i.IndexName == index);
            if (present ? found?.IndexStatus == IndexStatus.ACTIVE : found is null)
            {
                return;
            }

            Assert.True(attempt < 200, $"index {index} not {(present ? "active" : "gone")} after 10 s");
            await Task.Delay(50, Ct);
        }
    }

    private static Task PutAsync(IAmazonDynamoDB client, string table, string key, string colour) =>
        client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["PK"] = new(key), ["colour"] = new(colour) }, Ct);

    [Fact]
    public async Task A_scratch_folder_left_by_a_process_that_no_longer_runs_is_deleted_by_the_next_start()
    {
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync(Ct);
        await using var first = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Scratch }, ct: Ct);
        var root = Path.GetDirectoryName(first.ScratchPath)!;
        var stale = Path.Combine(root, $"{gone.Id}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(stale);
        await File.WriteAllTextAsync(Path.Combine(stale, "shared-local-instance.db"), "left behind", Ct);

        await using var second = await DynamoDbLocalServer.StartAsync(new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Scratch }, ct: Ct);

        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(first.ScratchPath), "a running server's folder is kept");
        Assert.NotEqual(first.ScratchPath, second.ScratchPath);
    }

    [Fact]
    public async Task A_kept_database_holds_what_was_committed_when_its_process_is_killed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dynamodb-kept-" + Guid.NewGuid().ToString("N"));
        var options = new DynamoDbLocalOptions { Storage = DynamoDbLocalStorage.Directory, DataDirectory = dir };
        try
        {
            var log = new StringWriter();
            string table;
            // Dispose kills the emulator's process: no clean shutdown, so only what SQLite had committed survives.
            await using (var server = await DynamoDbLocalServer.StartAsync(options, log, Ct))
            {
                Assert.Null(server.ScratchPath);
                using var client = server.CreateClient();
                table = await CreateTableAsync(client);
                for (var i = 0; i < 50; i++)
                {
                    await client.PutItemAsync(table, new Dictionary<string, AttributeValue> { ["PK"] = new($"item-{i}") }, Ct);
                }
            }

            Assert.Contains("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", log.ToString(), StringComparison.Ordinal);
            await using var again = await DynamoDbLocalServer.StartAsync(options, ct: Ct);
            using var reader = again.CreateClient();
            var scan = await reader.ScanAsync(new ScanRequest { TableName = table, Select = Select.COUNT, ConsistentRead = true }, Ct);

            Assert.Equal(50, scan.Count);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static async Task<string> CreateTableAsync(IAmazonDynamoDB client)
    {
        var table = "table-" + Guid.NewGuid().ToString("N");
        await client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = table,
                KeySchema = [new KeySchemaElement("PK", KeyType.HASH)],
                AttributeDefinitions = [new AttributeDefinition("PK", ScalarAttributeType.S)],
                BillingMode = BillingMode.PAY_PER_REQUEST,
            },
            Ct);
        return table;
    }
}

/// <summary>These tests change process-wide environment variables, so they run alone.</summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class EnvironmentChangingTests;

[Collection(typeof(EnvironmentChangingTests))]
public sealed class DynamoDbLocalEnvironmentTests(DynamoDbLocalFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DYNAMODB_ENDPOINT_is_used_as_is_and_nothing_is_started_or_stopped()
    {
        using var _ = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, fixture.ServiceUrl.ToString());

        var server = await DynamoDbLocalServer.StartAsync(ct: Ct);
        Assert.False(server.Owned);
        Assert.Equal(fixture.ServiceUrl, server.ServiceUrl);
        await server.DisposeAsync();

        // Disposing a borrowed endpoint must leave it running.
        await fixture.Client.ListTablesAsync(new ListTablesRequest(), Ct);
    }

    [Fact]
    public async Task A_DYNAMODB_ENDPOINT_that_is_not_a_url_is_a_clear_error()
    {
        using var _ = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, "not a url");

        var error = await Assert.ThrowsAsync<DynamoDbLocalException>(() => DynamoDbLocalServer.StartAsync(ct: Ct));

        Assert.Contains("DYNAMODB_ENDPOINT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_java_is_named_in_one_clear_error()
    {
        var emptyDir = Directory.CreateTempSubdirectory().FullName;
        using var endpoint = new EnvironmentVariable(DynamoDbLocalOptions.EndpointVariable, null);
        using var path = new EnvironmentVariable("PATH", emptyDir);

        var error = await Assert.ThrowsAsync<DynamoDbLocalException>(() => DynamoDbLocalServer.StartAsync(ct: Ct));

        Assert.Contains("'java'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Install", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
