namespace Serverless.Local.Tests.Iam;

/// <summary>
/// The cache invalidation function's calls, recorded once for the class (see <see cref="StreamWorkloads.CacheInvalidationAsync"/>),
/// against a redis-server of the class's own (the only Redis this assembly needs).
/// </summary>
public sealed class CacheInvalidationRun(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();

    internal IReadOnlyList<AwsCall> Calls { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        Calls = await StreamWorkloads.CacheInvalidationAsync(dynamo, _redis, DeployedTemplate.Load(LeastPrivilegeTests.CacheOn), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}

/// <summary>
/// The cache invalidation function's role (it exists only with the cache). Its code reads the stream records Lambda
/// hands it and talks to the cache, never to an AWS service: the role must allow exactly what Lambda does for it
/// (its log group, the table's stream, the failure queue, its network interfaces, the table's own key for the stream
/// reads), and any DynamoDB or KMS call of the code would be refused.
/// </summary>
public sealed class CacheInvalidationRoleTests(CacheInvalidationRun run) : IClassFixture<CacheInvalidationRun>
{
    private const string Function = "CacheInvalidationFunction";

    [Fact]
    public void The_role_allows_exactly_what_the_function_did_while_invalidating()
    {
        // Its stream reads are the emulator's, as Lambda makes them; its code made none of its own.
        LeastPrivilegeTests.AssertExact(Function, run.Calls, cacheOnly: true);
        Assert.DoesNotContain(run.Calls, c => c.Origin == AwsCall.Code);
    }

    [Fact]
    public void The_role_allows_exactly_what_lambda_does_for_the_function_and_nothing_for_its_code()
    {
        var problems = new List<string>();
        foreach (var (label, overrides) in LeastPrivilegeTests.StackShapes().Where(s => s.Parameters.ContainsKey("CacheEnabled")))
        {
            var template = DeployedTemplate.Load(overrides);
            var role = FunctionRole.Of(template, Function);
            var calls = role.AllCalls(template, run.Calls);
            problems.AddRange(PermissionCheck.Problems(role, calls).Select(p => $"[{label}] {p}"));

            Assert.Contains(calls, c => c.Origin == FunctionRole.LambdaStream && c.Action == "dynamodb:GetRecords");
            Assert.Contains(calls, c => c.Origin == FunctionRole.LambdaOnFailure);
            Assert.Contains(calls, c => c.Origin == FunctionRole.LambdaVpc && c.Action == "ec2:CreateNetworkInterface");
            Assert.Equal(overrides.ContainsKey("TableKmsKeyArn"), calls.Any(c => c.Origin == FunctionRole.ThroughDynamoDb));
        }

        Assert.True(problems.Count == 0, "The role and Lambda's calls differ:\n" + string.Join("\n", problems));
    }

    [Theory]
    [InlineData("dynamodb:GetItem", "")]
    [InlineData("dynamodb:Query", "/index/EmailIndex")]
    [InlineData("dynamodb:BatchGetItem", "")]
    [InlineData("dynamodb:PutItem", "")]
    [InlineData("dynamodb:DeleteItem", "")]
    public void A_table_call_of_the_functions_code_would_be_denied(string action, string underTable)
    {
        var template = DeployedTemplate.Load(LeastPrivilegeTests.CacheOn);
        var role = FunctionRole.Of(template, Function);
        var call = new AwsCall(action, template.AttributeOf("Table", "Arn") + underTable, AwsCall.Code) { LeadingKeys = ["USER#0f1e2d3c-4b5a-4697-8877-66554433aabb"] };

        var problems = PermissionCheck.Problems(role, role.AllCalls(template, [call]));

        Assert.Contains($"{Function}: {call.Generalized()} is not allowed by {role.RoleId}.", problems);
    }

    [Fact]
    public void No_use_of_the_field_key_or_any_kms_key_but_the_tables_through_dynamodb_would_be_allowed()
    {
        var template = DeployedTemplate.Load(new Dictionary<string, string>(LeastPrivilegeTests.CacheOn) { ["TableKmsKeyArn"] = LeastPrivilegeTests.TableKey });
        var role = FunctionRole.Of(template, Function);
        var fieldKey = template.AttributeOf("FieldKey", "Arn");

        foreach (var action in new[] { "kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt" })
        {
            Assert.DoesNotContain(role.Statements, s => s.Allow && s.Covers(new AwsCall(action, fieldKey, AwsCall.Code)));
        }

        // The table's key only as DynamoDB uses it for the stream reads, never called directly.
        Assert.DoesNotContain(role.Statements, s => s.Allow && s.Covers(new AwsCall("kms:Decrypt", LeastPrivilegeTests.TableKey, AwsCall.Code)));
        Assert.Contains(role.Statements, s => s.Allow && s.Covers(new AwsCall("kms:Decrypt", LeastPrivilegeTests.TableKey, FunctionRole.ThroughDynamoDb)
        {
            Context = new Dictionary<string, string>(StringComparer.Ordinal) { ["kms:ViaService"] = $"dynamodb.{DeployedTemplate.Region}.amazonaws.com" },
        }));
    }

    [Fact]
    public void The_function_and_its_role_exist_only_with_the_cache()
    {
        var template = DeployedTemplate.Load();
        Assert.False(template.IsConditionTrue("HasCache"));
        Assert.Equal("HasCache", template.ResolveString(DeployedTemplate.Child(template.Resource(Function), "Condition"), Function));
        Assert.Equal("HasCache", template.ResolveString(DeployedTemplate.Child(template.Resource(Function + "Role"), "Condition"), Function + "Role"));
    }
}
