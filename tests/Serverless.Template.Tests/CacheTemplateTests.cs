using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Template.Tests;

/// <summary>
/// The optional cache (CacheEnabled): off by default and then nothing of it is deployed; on, an ElastiCache
/// Serverless cache, every function in its subnets with the ENI permissions Lambda needs, an endpoint for each AWS
/// service the code calls, and the endpoint handed to the code. Both shapes lint clean.
/// </summary>
public sealed partial class CacheTemplateTests
{
    /// <summary>Parameters of a deploy with the cache, in the shape AWS gives such ids.</summary>
    internal static readonly IReadOnlyDictionary<string, string> CacheOn = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CacheEnabled"] = "true",
        ["VpcId"] = "vpc-0123456789abcdef0",
        ["CacheSubnetIds"] = "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
        ["CacheSecurityGroupIds"] = "sg-0123456789abcdef0",
        ["CacheRouteTableIds"] = "rtb-0123456789abcdef0,rtb-0fedcba9876543210",
    };

    private static readonly SamTemplate Off = SamTemplate.Load();

    private static readonly SamTemplate On = SamTemplate.Load(CacheOn);

    private static readonly string[] CacheResources =
    [
        "Cache", "DynamoDbEndpoint", "KmsEndpoint", "XRayEndpoint", "CacheInvalidationLogGroup", "CacheInvalidationFunctionRole", "CacheInvalidationFunction",
        "CacheInvalidationErrorsAlarm", "CacheInvalidationThrottlesAlarm", "CacheInvalidationIteratorAgeAlarm",
    ];

    [Fact]
    public void The_cache_is_off_by_default_and_then_nothing_of_it_is_deployed()
    {
        Assert.Equal("false", Off.ParameterDefault("CacheEnabled"));
        Assert.False(Off.IsConditionTrue("HasCache"));
        Assert.True(On.IsConditionTrue("HasCache"));
        foreach (var name in new[] { "VpcId", "CacheSubnetIds", "CacheSecurityGroupIds", "CacheRouteTableIds" })
        {
            Assert.Equal("", Off.ParameterDefault(name));
        }

        foreach (var id in CacheResources)
        {
            var resource = SamTemplate.Map(Off.Resources, id);
            Assert.NotNull(resource);
            Assert.Equal("HasCache", SamTemplate.Scalar(resource, "Condition"));
        }

        Assert.Equal(["ApiFunction", "AuditFunction", "DenormalizeFunction", "PurgeFunction"], Off.DeployedFunctions().Select(f => f.LogicalId));
        Assert.Contains("CacheInvalidationFunction", On.DeployedFunctions().Select(f => f.LogicalId));
        Assert.Equal("HasCache", SamTemplate.Scalar(SamTemplate.Map(SamTemplate.Map(Off.Root, "Outputs"), "CacheEndpoint"), "Condition"));
    }

    [Fact]
    public void Every_function_runs_in_the_caches_subnets_when_the_cache_is_on_and_outside_any_vpc_when_it_is_off()
    {
        Assert.All(Off.DeployedFunctions(), f => Assert.Null(VpcConfig(Off, f)));

        var deployed = On.DeployedFunctions();
        Assert.Equal(Off.DeployedFunctions().Count + 1, deployed.Count);
        Assert.All(deployed, f =>
        {
            var vpc = VpcConfig(On, f);
            Assert.NotNull(vpc);
            Assert.Equal(("!Ref", "CacheSubnetIds"), RefOf(vpc, "SubnetIds"));
            Assert.Equal(("!Ref", "CacheSecurityGroupIds"), RefOf(vpc, "SecurityGroupIds"));
            Assert.Equal(2, vpc.Children.Count);
        });
    }

    [Fact]
    public void Every_role_may_manage_network_interfaces_only_when_its_function_is_in_the_vpc()
    {
        string[] eni = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"];
        foreach (var (template, on) in new[] { (Off, false), (On, true) })
        {
            foreach (var function in template.DeployedFunctions())
            {
                var role = ((YamlScalarNode)function.Properties.Children[new YamlScalarNode("Role")]).Value!.Split('.')[0];
                var statements = Statements(template, SamTemplate.Map(template.Resources, role)!).ToList();
                var ec2 = statements.Where(s => Actions(s).Any(a => a.StartsWith("ec2:", StringComparison.Ordinal))).ToList();
                if (!on)
                {
                    Assert.True(ec2.Count == 0, $"{role} allows ec2 actions without the cache");
                    continue;
                }

                var manage = Assert.Single(ec2, s => SamTemplate.Scalar(s, "Sid") == "VpcNetworkInterfaces");
                Assert.Equal(eni, Actions(manage).Order(StringComparer.Ordinal));
                Assert.Equal("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*/*", SamTemplate.Scalar(manage, "Resource"));
                // Authorized on "*" only (the Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC").
                var describe = Assert.Single(ec2, s => SamTemplate.Scalar(s, "Sid") == "VpcDescribeNetworkInterfaces");
                Assert.Equal(["ec2:DescribeNetworkInterfaces"], Actions(describe));
                Assert.Equal("*", SamTemplate.Scalar(describe, "Resource"));
                Assert.Equal(2, ec2.Count);
            }
        }
    }

    [Fact]
    public void The_cache_is_a_valkey_serverless_cache_in_the_given_subnets_dropped_with_the_stack()
    {
        var cache = SamTemplate.Map(On.Resources, "Cache")!;
        Assert.Equal("AWS::ElastiCache::ServerlessCache", SamTemplate.Scalar(cache, "Type"));
        var properties = SamTemplate.Map(cache, "Properties")!;
        Assert.Equal("valkey", SamTemplate.Scalar(properties, "Engine"));
        Assert.Equal(("!Ref", "CacheSubnetIds"), RefOf(properties, "SubnetIds"));
        Assert.Equal(("!Ref", "CacheSecurityGroupIds"), RefOf(properties, "SecurityGroupIds"));
        Assert.Equal("0", SamTemplate.Scalar(properties, "SnapshotRetentionLimit"));
        // Every entry is a copy of the table's: nothing to keep.
        Assert.Equal("Delete", SamTemplate.Scalar(cache, "DeletionPolicy"));
        Assert.Equal("Delete", SamTemplate.Scalar(cache, "UpdateReplacePolicy"));
    }

    [Fact]
    public void The_code_gets_the_caches_tls_endpoint_when_it_is_on_and_an_empty_one_that_turns_it_off_otherwise()
    {
        Assert.All(Off.DeployedFunctions(), f => Assert.Equal("", f.Environment["Cache__Endpoint"]));
        Assert.All(On.DeployedFunctions(), f => Assert.Equal("<Cache.Endpoint.Address>:<Cache.Endpoint.Port>,ssl=true", f.Environment["Cache__Endpoint"]));

        var output = SamTemplate.Map(SamTemplate.Map(On.Root, "Outputs"), "CacheEndpoint")!;
        Assert.Equal("<Cache.Endpoint.Address>:<Cache.Endpoint.Port>", On.Resolve(output.Children[new YamlScalarNode("Value")]));
    }

    [Fact]
    public void Each_aws_service_the_deployed_code_calls_has_a_vpc_endpoint_and_no_other_has_one()
    {
        // The SDK packages of the projects the functions run, and the endpoint service each is reached through.
        var endpointOfPackage = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWSSDK.DynamoDBv2"] = "dynamodb",
            ["AWSSDK.KeyManagementService"] = "kms",
        };
        var packages = CodeEnvironment.ProjectsByHandler.Values.SelectMany(p => p).Distinct(StringComparer.Ordinal)
            .SelectMany(p => SdkPackage().Matches(File.ReadAllText(RepoPaths.Of("src", p, p + ".csproj"))).Select(m => m.Groups[1].Value))
            .Where(p => p != "AWSSDK.Core")
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(packages);
        var unknown = packages.Where(p => !endpointOfPackage.ContainsKey(p)).ToList();
        Assert.True(unknown.Count == 0, $"The functions call {string.Join(", ", unknown)}: give the VPC an endpoint for it (or a route out) and name it here.");

        var endpoints = On.Resources.Children
            .Where(r => SamTemplate.Scalar(r.Value, "Type") == "AWS::EC2::VPCEndpoint")
            .Select(r => SamTemplate.Map(r.Value, "Properties")!)
            .ToList();
        // And the X-Ray daemon of a traced function, which sends from the function's network.
        var services = packages.Select(p => endpointOfPackage[p]).ToList();
        if (SamTemplate.Scalar(On.Globals, "Tracing") == "Active")
        {
            services.Add("xray");
        }

        Assert.Equal(
            services.Select(s => "com.amazonaws.<AWS::Region>." + s).Order(StringComparer.Ordinal),
            endpoints.Select(e => On.Resolve(e.Children[new YamlScalarNode("ServiceName")])).Order(StringComparer.Ordinal));

        var dynamodb = Assert.Single(endpoints, e => SamTemplate.Scalar(e, "ServiceName")!.EndsWith(".dynamodb", StringComparison.Ordinal));
        Assert.Equal("Gateway", SamTemplate.Scalar(dynamodb, "VpcEndpointType"));
        Assert.Equal(("!Ref", "VpcId"), RefOf(dynamodb, "VpcId"));
        Assert.Equal(("!Ref", "CacheRouteTableIds"), RefOf(dynamodb, "RouteTableIds"));

        // The SDK keeps its regional host name (KMS_ENDPOINT is empty on AWS): the endpoint's private DNS answers it.
        var kms = Assert.Single(endpoints, e => SamTemplate.Scalar(e, "ServiceName")!.EndsWith(".kms", StringComparison.Ordinal));
        Assert.Equal("Interface", SamTemplate.Scalar(kms, "VpcEndpointType"));
        Assert.Equal("true", SamTemplate.Scalar(kms, "PrivateDnsEnabled"));
        Assert.Equal(("!Ref", "CacheSubnetIds"), RefOf(kms, "SubnetIds"));
        Assert.Equal(("!Ref", "CacheSecurityGroupIds"), RefOf(kms, "SecurityGroupIds"));
        Assert.Equal("", On.Function("ApiFunction").Environment["KMS_ENDPOINT"]);

        var xray = Assert.Single(endpoints, e => SamTemplate.Scalar(e, "ServiceName")!.EndsWith(".xray", StringComparison.Ordinal));
        Assert.Equal("Interface", SamTemplate.Scalar(xray, "VpcEndpointType"));
        Assert.Equal("true", SamTemplate.Scalar(xray, "PrivateDnsEnabled"));
        Assert.Equal(("!Ref", "CacheSubnetIds"), RefOf(xray, "SubnetIds"));
    }

    [Fact]
    public void A_rule_refuses_the_cache_without_each_of_its_network_parameters()
    {
        var rule = SamTemplate.Map(SamTemplate.Map(Off.Root, "Rules"), "CacheNeedsItsNetwork")!;
        var when = Assert.IsType<YamlSequenceNode>(rule.Children[new YamlScalarNode("RuleCondition")]);
        Assert.Equal("!Equals", when.Tag.Value);
        Assert.Equal(("!Ref", "CacheEnabled"), (when.Children[0].Tag.Value, ((YamlScalarNode)when.Children[0]).Value));
        Assert.Equal("true", ((YamlScalarNode)when.Children[1]).Value);

        // !Not [!Equals [!Ref VpcId, '']] for the string, !Not [!Contains [!Ref List, '']] for each list (empty is [""]).
        var checkedParameters = SamTemplate.Seq(rule, "Assertions")!.Children
            .Select(a => Assert.IsType<YamlSequenceNode>(((YamlMappingNode)a).Children[new YamlScalarNode("Assert")]))
            .Select(not =>
            {
                Assert.Equal("!Not", not.Tag.Value);
                var test = Assert.IsType<YamlSequenceNode>(Assert.Single(not.Children));
                Assert.Contains(test.Tag.Value, new[] { "!Equals", "!Contains" });
                Assert.Equal("", ((YamlScalarNode)test.Children[1]).Value);
                Assert.Equal("!Ref", test.Children[0].Tag.Value);
                var parameter = ((YamlScalarNode)test.Children[0]).Value!;
                var type = SamTemplate.Scalar(SamTemplate.Map(SamTemplate.Map(Off.Root, "Parameters"), parameter), "Type");
                Assert.Equal(type == "CommaDelimitedList" ? "!Contains" : "!Equals", test.Tag.Value);
                return parameter;
            });
        Assert.Equal(["CacheRouteTableIds", "CacheSecurityGroupIds", "CacheSubnetIds", "VpcId"], checkedParameters.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_cache_invalidation_function_is_alarmed_like_the_other_stream_functions_and_only_with_the_cache()
    {
        var alarmed = On.Resources.Children
            .Where(r => SamTemplate.Scalar(r.Value, "Type") == "AWS::CloudWatch::Alarm" && SamTemplate.Scalar(SamTemplate.Map(r.Value, "Properties"), "Namespace") == "AWS/Lambda")
            .Select(r => (Resource: (YamlMappingNode)r.Value, Properties: SamTemplate.Map(r.Value, "Properties")!))
            .Select(a => (
                a.Resource,
                Function: ((YamlScalarNode)((YamlMappingNode)SamTemplate.Seq(a.Properties, "Dimensions")!.Children.Single()).Children[new YamlScalarNode("Value")]).Value!,
                Metric: SamTemplate.Scalar(a.Properties, "MetricName")!))
            .ToList();

        foreach (var function in new[] { "AuditFunction", "DenormalizeFunction", "PurgeFunction", "CacheInvalidationFunction" })
        {
            Assert.Equal(["Errors", "IteratorAge", "Throttles"], alarmed.Where(a => a.Function == function).Select(a => a.Metric).Order(StringComparer.Ordinal));
            // An alarm on a function that is not deployed would fail the deploy (its !Ref has nothing to name).
            var condition = SamTemplate.Scalar(SamTemplate.Map(On.Resources, function), "Condition");
            Assert.All(alarmed.Where(a => a.Function == function), a => Assert.Equal(condition, SamTemplate.Scalar(a.Resource, "Condition")));
        }
    }

    [Fact]
    public async Task Cfn_lint_reports_nothing_for_the_template_with_the_cache_on()
    {
        var cfnLint = Executables.FindOnPath("cfn-lint");
        if (cfnLint is null)
        {
            Assert.Skip("cfn-lint is not installed on this machine (pip install cfn-lint); the template was not linted.");
        }

        // cfn-lint checks values against the parameters' defaults (its --parameters do not change that): the copy gets
        // the cache's parameters as defaults, and loses the W1030 exemptions that only the empty defaults need.
        var copy = WithCacheOnByDefault(File.ReadAllText(RepoPaths.Of("template.yaml")));
        Assert.DoesNotContain("ignore_checks", copy, StringComparison.Ordinal);
        var parsed = SamTemplate.Parse(copy);
        Assert.True(parsed.IsConditionTrue("HasCache"));
        Assert.Contains("CacheInvalidationFunction", parsed.DeployedFunctions().Select(f => f.LogicalId));

        var path = Path.Combine(Path.GetTempPath(), $"template-cache-on-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, copy, TestContext.Current.CancellationToken);
        try
        {
            var lint = await Executables.RunInRepositoryAsync(cfnLint, [path, "--include-checks", "I"], TestContext.Current.CancellationToken);
            Assert.True(lint.ExitCode == 0 && lint.Output.Length == 0, $"cfn-lint --include-checks I (cache on) exit {lint.ExitCode}:\n{lint.Output}{lint.Errors}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>template.yaml with <see cref="CacheOn"/> as the parameters' defaults and no cfn-lint exemptions.</summary>
    internal static string WithCacheOnByDefault(string yaml)
    {
        foreach (var (name, value) in CacheOn)
        {
            var pattern = new Regex(@"(\n  " + Regex.Escape(name) + @":\n    Type: [^\n]+\n    Default: )('[^'\n]*')");
            Assert.True(pattern.IsMatch(yaml), $"template.yaml's parameter {name} has no quoted Default right under its Type");
            yaml = pattern.Replace(yaml, m => m.Groups[1].Value + "'" + value + "'", 1);
        }

        var exemptions = LintExemption().Matches(yaml).Count;
        Assert.True(exemptions > 0, "expected the W1030 exemptions of the resources that use the network parameters");
        yaml = LintExemption().Replace(yaml, "");
        // A Metadata left with nothing under it (not even BuildMethod) goes too.
        return EmptyMetadata().Replace(yaml, "");
    }

    private static YamlMappingNode? VpcConfig(SamTemplate template, SamFunction function) =>
        function.Properties.Children.TryGetValue(new YamlScalarNode("VpcConfig"), out var node) ? template.Chosen(node) as YamlMappingNode : null;

    private static (string Tag, string? Value) RefOf(YamlMappingNode node, string key) =>
        node.Children[new YamlScalarNode(key)] is YamlScalarNode scalar ? (scalar.Tag.Value, scalar.Value) : ("", null);

    /// <summary>A role's statements as deployed: !If branches chosen, AWS::NoValue gone.</summary>
    private static IEnumerable<YamlMappingNode> Statements(SamTemplate template, YamlMappingNode role) =>
        SamTemplate.Seq(SamTemplate.Map(role, "Properties"), "Policies")!.Children
            .SelectMany(p => SamTemplate.Seq(SamTemplate.Map(p, "PolicyDocument"), "Statement")!.Children)
            .Select(template.Chosen)
            .OfType<YamlMappingNode>();

    private static List<string> Actions(YamlMappingNode statement) => statement.Children[new YamlScalarNode("Action")] switch
    {
        YamlScalarNode one => [one.Value!],
        YamlSequenceNode many => [.. many.Children.Select(c => ((YamlScalarNode)c).Value!)],
        _ => [],
    };

    [GeneratedRegex(@"<PackageReference Include=""(AWSSDK\.[A-Za-z0-9]+)""")]
    private static partial Regex SdkPackage();

    [GeneratedRegex(@"(      #[^\n]*\n)*      cfn-lint:\n        config:\n          ignore_checks: \[W1030\]\n")]
    private static partial Regex LintExemption();

    [GeneratedRegex(@"    Metadata:\n(?=    [A-Za-z])")]
    private static partial Regex EmptyMetadata();
}
