namespace Serverless.Local.Tests.Iam;

/// <summary>The audit function's calls, recorded once for the class (see <see cref="StreamWorkloads.AuditAsync"/>).</summary>
public sealed class AuditRun(DynamoDbLocalFixture dynamo) : IAsyncLifetime
{
    internal IReadOnlyList<AwsCall> Calls { get; private set; } = [];

    public async ValueTask InitializeAsync() =>
        Calls = await StreamWorkloads.AuditAsync(dynamo, DeployedTemplate.Load(), TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// The audit role against the audit function's real calls, and the check itself failing on purpose on the same calls:
/// a role that lacks an action the code uses, one that grants an action nothing uses, one whose condition excludes a
/// partition the code writes.
/// </summary>
public sealed class AuditRoleTests(AuditRun run) : IClassFixture<AuditRun>
{
    private const string Table = "arn:aws:dynamodb:us-east-1:123456789012:table/Serverless";

    private static readonly DeployedTemplate Template = DeployedTemplate.Load();

    private static FunctionRole Role => FunctionRole.Of(Template, "AuditFunction");

    [Fact]
    public void The_audit_role_allows_exactly_its_batch_writes_their_fallback_and_what_lambda_does_for_it()
    {
        LeastPrivilegeTests.AssertExact("AuditFunction", run.Calls);
        LeastPrivilegeTests.AssertNoFieldKeyUse(run.Calls);
    }

    [Fact]
    public void A_role_without_an_action_the_code_uses_is_reported_as_denying_that_call()
    {
        // The role as it once was: PutItem only, while the entries leave in BatchWriteItem calls.
        var role = Role.With(s => s with { Actions = [.. s.Actions.Where(a => a != "dynamodb:BatchWriteItem")] });

        var problems = PermissionCheck.Problems(role, role.AllCalls(Template, run.Calls));

        Assert.Equal(
            [$"AuditFunction: dynamodb:BatchWriteItem on {Table} (partition keys AUDIT#*), by the function's code is not allowed by AuditFunctionRole."],
            problems);
    }

    [Fact]
    public void A_role_granting_an_action_no_call_uses_is_reported_as_too_broad()
    {
        var role = Role.With(s => s.Sid == "WriteAuditEntries" ? s with { Actions = [.. s.Actions, "dynamodb:Scan"] } : s);

        var problems = PermissionCheck.Problems(role, role.AllCalls(Template, run.Calls));

        Assert.Equal([$"AuditFunction: AuditFunctionRole statement WriteAuditEntries allows dynamodb:Scan on {Table}, which no call needs."], problems);
    }

    [Fact]
    public void A_condition_that_leaves_out_the_partitions_the_code_writes_is_reported_for_each_write()
    {
        var role = Role.With(s => s.Sid == "WriteAuditEntries"
            ? s with { Conditions = [new PolicyCondition("ForAllValues:StringLike", "dynamodb:LeadingKeys", ["USER#*"])] }
            : s);

        var problems = PermissionCheck.Problems(role, role.AllCalls(Template, run.Calls));

        Assert.Contains($"AuditFunction: dynamodb:BatchWriteItem on {Table} (partition keys AUDIT#*), by the function's code is not allowed by AuditFunctionRole.", problems);
        Assert.Contains($"AuditFunction: dynamodb:PutItem on {Table} (partition keys AUDIT#*), by the function's code is not allowed by AuditFunctionRole.", problems);
    }

    [Fact]
    public void Without_its_on_failure_permission_the_role_is_reported_for_lambdas_send_to_the_queue()
    {
        var role = Role.With(s => s.Sid == "OnFailure" ? s with { Actions = ["sqs:ReceiveMessage"] } : s);

        var problems = PermissionCheck.Problems(role, role.AllCalls(Template, run.Calls));

        Assert.Contains(problems, p => p.StartsWith("AuditFunction: sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:", StringComparison.Ordinal)
            && p.Contains("by Lambda (the on-failure destination) is not allowed", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("statement OnFailure allows sqs:ReceiveMessage", StringComparison.Ordinal));
    }
    [Fact]
    public void Without_its_xray_permission_the_role_is_reported_for_the_daemons_calls_and_a_wider_one_as_too_broad()
    {
        var narrower = Role.With(s => s.Sid == "XRay" ? s with { Actions = ["xray:PutTraceSegments"] } : s);
        var wider = Role.With(s => s.Sid == "XRay" ? s with { Actions = [.. s.Actions, "xray:GetSamplingRules"] } : s);

        Assert.Equal(
            ["AuditFunction: xray:PutTelemetryRecords on *, by Lambda (the function's X-Ray daemon) is not allowed by AuditFunctionRole."],
            PermissionCheck.Problems(narrower, narrower.AllCalls(Template, run.Calls)));
        Assert.Equal(
            ["AuditFunction: AuditFunctionRole statement XRay allows xray:GetSamplingRules on *, which no call needs."],
            PermissionCheck.Problems(wider, wider.AllCalls(Template, run.Calls)));
    }

    [Fact]
    public void Without_active_tracing_lambda_makes_no_xray_call_so_the_statement_is_too_broad()
    {
        var yaml = File.ReadAllText(RepoPaths.Of("template.yaml")).Replace("    Tracing: Active\n", "", StringComparison.Ordinal);
        var untraced = DeployedTemplate.Parse(yaml);
        var role = FunctionRole.Of(untraced, "AuditFunction");

        Assert.DoesNotContain(role.LambdaCalls, c => c.Origin == FunctionRole.LambdaXRay);
        Assert.Contains(
            "AuditFunction: AuditFunctionRole statement XRay allows xray:PutTraceSegments on *, which no call needs.",
            PermissionCheck.Problems(role, role.AllCalls(untraced, run.Calls)));
    }
}
