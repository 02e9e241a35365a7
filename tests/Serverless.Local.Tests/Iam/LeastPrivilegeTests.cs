namespace Serverless.Local.Tests.Iam;

/// <summary>
/// DynamoDB Local enforces no IAM, so these tests do: each function does its real work here with every AWS call
/// recorded, and its execution role in template.yaml must allow exactly that. No call denied (the role is not too
/// small), no allowed action unused (not silently too broad), conditions such as dynamodb:LeadingKeys evaluated on
/// the calls' partition keys; with the table on an AWS owned key and on a customer managed one.
/// </summary>
public sealed class LeastPrivilegeTests(DynamoDbLocalFixture dynamo, MotoKmsFixture kms)
{
    internal const string TableKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// <summary>The parameters of a stack with the cache (CacheEnabled), its network in the shape AWS gives such ids.</summary>
    internal static readonly IReadOnlyDictionary<string, string> CacheOn = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CacheEnabled"] = "true",
        ["VpcId"] = "vpc-0123456789abcdef0",
        ["CacheSubnetIds"] = "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
        ["CacheSecurityGroupIds"] = "sg-0123456789abcdef0",
        ["CacheRouteTableIds"] = "rtb-0123456789abcdef0",
    };

    /// <summary>Each stack shape a role is checked in: the table on an AWS owned key or its own, without and with the cache.</summary>
    internal static IEnumerable<(string Label, Dictionary<string, string> Parameters)> StackShapes()
    {
        foreach (var cache in new[] { false, true })
        {
            foreach (var key in new[] { false, true })
            {
                var parameters = new Dictionary<string, string>(cache ? CacheOn : new Dictionary<string, string>(), StringComparer.Ordinal);
                if (key)
                {
                    parameters["TableKmsKeyArn"] = TableKey;
                }

                yield return ($"table on {(key ? "a customer managed" : "an AWS owned")} key, {(cache ? "with" : "without")} the cache", parameters);
            }
        }
    }

    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_api_role_allows_exactly_what_every_route_calls()
    {
        var template = DeployedTemplate.Load();
        var calls = await ApiWorkload.RunAsync(dynamo, kms, template, _ct);
        AssertExact("ApiFunction", calls);

        // The field key is used, on the template's FieldKey and for the template's table only.
        var fieldKey = template.AttributeOf("FieldKey", "Arn");
        foreach (var action in new[] { "kms:GenerateDataKey", "kms:Decrypt" })
        {
            Assert.Contains(calls, c => c.Action == action && c.Resource == fieldKey && c.ValuesOf("kms:EncryptionContext:table") is [var table] && table == template.RefOf("Table"));
        }

        Assert.All(calls.Where(c => c.Action.StartsWith("kms:", StringComparison.Ordinal)), c => Assert.Equal(fieldKey, c.Resource));
    }

    [Fact]
    public async Task The_denormalize_role_allows_exactly_its_order_queries_and_updates_and_what_lambda_does_for_it()
    {
        var calls = await StreamWorkloads.DenormalizeAsync(dynamo, DeployedTemplate.Load(), _ct);
        AssertExact("DenormalizeFunction", calls);
        AssertNoFieldKeyUse(calls);
    }

    [Fact]
    public async Task The_purge_role_allows_exactly_its_cascade_and_what_lambda_does_for_it()
    {
        var calls = await StreamWorkloads.PurgeAsync(dynamo, DeployedTemplate.Load(), _ct);
        AssertExact("PurgeFunction", calls);
        AssertNoFieldKeyUse(calls);
    }

    /// <summary>
    /// A stream function copies or deletes ciphertext and never meets the keyring: no KMS call of its code, and no read of
    /// the KEYRING partition (where it would otherwise find the wrapped keys to unwrap).
    /// </summary>
    internal static void AssertNoFieldKeyUse(IReadOnlyList<AwsCall> calls)
    {
        Assert.DoesNotContain(calls, c => c.Origin == AwsCall.Code && c.Action.StartsWith("kms:", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.LeadingKeys.Contains(Serverless.Data.Privacy.Keyring.Partition));
    }

    /// <summary>
    /// The role against the calls, with the table on an AWS owned key (the default) and on its own key, without the
    /// cache (the default) and with it (the function then in the VPC, Lambda managing its network interfaces).
    /// </summary>
    /// <param name="cacheOnly">The function exists only in a stack with the cache: only those shapes are checked.</param>
    internal static void AssertExact(string functionId, IReadOnlyList<AwsCall> codeCalls, bool cacheOnly = false)
    {
        Assert.NotEmpty(codeCalls);
        // The emulator reads the stream as Lambda documents it does: none of its stream calls is outside that set.
        var documented = FunctionRole.Of(DeployedTemplate.Load(CacheOn), functionId).LambdaCalls.Where(c => c.Origin == FunctionRole.LambdaStream).Select(c => c.Action).ToHashSet(StringComparer.Ordinal);
        Assert.All(codeCalls.Where(c => c.Origin == FunctionRole.LambdaStream), c => Assert.Contains(c.Action, documented));
        if (documented.Count > 0)
        {
            Assert.Contains(codeCalls, c => c.Origin == FunctionRole.LambdaStream && c.Action == "dynamodb:GetRecords");
        }

        var problems = new List<string>();
        foreach (var (label, overrides) in StackShapes().Where(s => !cacheOnly || s.Parameters.ContainsKey("CacheEnabled")))
        {
            var template = DeployedTemplate.Load(overrides);
            var role = FunctionRole.Of(template, functionId);
            var calls = role.AllCalls(template, codeCalls);
            problems.AddRange(PermissionCheck.Problems(role, calls).Select(p => $"[{label}] {p}"));
            if (overrides.ContainsKey("TableKmsKeyArn"))
            {
                Assert.Contains(calls, c => c.Action == "kms:Decrypt");
            }

            Assert.Equal(overrides.ContainsKey("CacheEnabled"), calls.Any(c => c.Origin == FunctionRole.LambdaVpc));
            // Tracing: Active in every shape: the daemon's two calls are Lambda's, on "*".
            Assert.Equal(
                ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                calls.Where(c => c.Origin == FunctionRole.LambdaXRay && c.Resource == "*").Select(c => c.Action).Order(StringComparer.Ordinal));
        }

        Assert.True(problems.Count == 0, "The role and the calls differ:\n" + string.Join("\n", problems) + "\n\nCalls recorded:\n" + string.Join("\n", codeCalls.Select(c => c.Generalized().ToString()).Distinct(StringComparer.Ordinal)));
    }
}
