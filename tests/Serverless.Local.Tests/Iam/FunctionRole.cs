using YamlDotNet.RepresentationModel;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// A function of the template with its execution role's statements, and the calls Lambda makes with that role on the
/// function's behalf, derived from the function's configuration and AWS's documented execution-role requirements:
/// <list type="bullet">
/// <item>its log group (LoggingConfig.LogGroup): logs:CreateLogStream and logs:PutLogEvents on a stream of that group
/// (the group exists, so no logs:CreateLogGroup);</item>
/// <item>each DynamoDB event source: dynamodb:DescribeStream, GetRecords, GetShardIterator and ListStreams on its stream
/// (Lambda's execution role for DynamoDB Streams, as in AWSLambdaDynamoDBExecutionRole), and sqs:SendMessage (or
/// sns:Publish) on its on-failure destination;</item>
/// <item>a table under a customer managed key: kms:Decrypt through DynamoDB (kms:ViaService) for every principal that
/// reads or writes the table or its stream, which DynamoDB does with the caller's permissions to decrypt the table key;</item>
/// <item>a function in a VPC (VpcConfig): the network interfaces Lambda makes in its subnets, with its security groups,
/// and describes, deletes and assigns addresses to (AWSLambdaVPCAccessExecutionRole's ec2 actions; the Lambda developer
/// guide: ec2:DescribeNetworkInterfaces is authorized on "*" only);</item>
/// <item>a function with active tracing (its Tracing, else the Globals'): the X-Ray daemon Lambda runs beside it sends
/// the segments and its own telemetry with the role, xray:PutTraceSegments and xray:PutTelemetryRecords, authorized on
/// "*" only (X-Ray has no resource-level permissions).</item>
/// </list>
/// </summary>
internal sealed class FunctionRole
{
    public const string LambdaLogs = "Lambda (the function's log group)";
    public const string LambdaStream = "Lambda (the event source mapping)";
    public const string LambdaOnFailure = "Lambda (the on-failure destination)";
    public const string ThroughDynamoDb = "DynamoDB (the table's customer managed key)";
    public const string LambdaVpc = "Lambda (the function's network interfaces)";
    public const string LambdaXRay = "Lambda (the function's X-Ray daemon)";

    /// <summary>The id EC2 would give a network interface of the function (any fixed one does).</summary>
    public const string NetworkInterfaceId = "eni-0a1b2c3d4e5f60718";

    private FunctionRole(string functionId, string roleId, IReadOnlyList<PolicyStatement> statements, IReadOnlyList<AwsCall> lambdaCalls, string? tableKey)
    {
        FunctionId = functionId;
        RoleId = roleId;
        Statements = statements;
        LambdaCalls = lambdaCalls;
        TableKey = tableKey;
    }

    public string FunctionId { get; }

    public string RoleId { get; }

    public IReadOnlyList<PolicyStatement> Statements { get; }

    /// <summary>What Lambda itself does with the role for this function.</summary>
    public IReadOnlyList<AwsCall> LambdaCalls { get; }

    /// <summary>The table's customer managed key, when it has one.</summary>
    public string? TableKey { get; }

    public static FunctionRole Of(DeployedTemplate template, string functionId)
    {
        var properties = DeployedTemplate.Child(template.Resource(functionId), "Properties");
        foreach (var inline in new[] { "Policies", "ManagedPolicyArns", "PermissionsBoundary" })
        {
            if (DeployedTemplate.Child(properties, inline) is not null)
            {
                throw new InvalidOperationException($"{functionId}.{inline}: the check reads the role's own policies only; give the function a Role.");
            }
        }

        var role = DeployedTemplate.Child(properties, "Role") as YamlScalarNode;
        if (role is not { Tag.Value: "!GetAtt" } || !role.Value!.EndsWith(".Arn", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{functionId}.Role must be !GetAtt <Role>.Arn of a role in the template.");
        }

        var roleId = role.Value[..^".Arn".Length];
        var roleProperties = DeployedTemplate.Child(template.Resource(roleId), "Properties");
        if (DeployedTemplate.Child(roleProperties, "ManagedPolicyArns") is not null || DeployedTemplate.Child(roleProperties, "PermissionsBoundary") is not null)
        {
            throw new InvalidOperationException($"{roleId}: managed policies are not read by this check; keep the role's permissions inline.");
        }

        var statements = new List<PolicyStatement>();
        foreach (var policy in (List<object?>)template.Resolve(DeployedTemplate.Child(roleProperties, "Policies"))!)
        {
            var document = (Dictionary<string, object?>)((Dictionary<string, object?>)policy!)["PolicyDocument"]!;
            foreach (var statement in (List<object?>)document["Statement"]!)
            {
                statements.Add(PolicyStatement.FromResolved((Dictionary<string, object?>)statement!, roleId));
            }
        }

        // The role's inline policies kept beside it (AWS::IAM::RolePolicy), such as one whose resource's own policy
        // names the role and so cannot be inside it; a policy of another kind attached to the role is not read.
        foreach (var (name, resource) in template.Resources.Children)
        {
            var type = ((YamlScalarNode)DeployedTemplate.Child(resource, "Type")!).Value;
            var attached = DeployedTemplate.Child(resource, "Properties");
            if (type == "AWS::IAM::RolePolicy" && template.Resolve(DeployedTemplate.Child(attached, "RoleName")) as string == template.RefOf(roleId))
            {
                var document = (Dictionary<string, object?>)template.Resolve(DeployedTemplate.Child(attached, "PolicyDocument"))!;
                foreach (var statement in (List<object?>)document["Statement"]!)
                {
                    statements.Add(PolicyStatement.FromResolved((Dictionary<string, object?>)statement!, ((YamlScalarNode)name).Value!));
                }
            }
            else if (type is "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy"
                     && template.Resolve(DeployedTemplate.Child(attached, "Roles")) is List<object?> roles && roles.Contains(template.RefOf(roleId)))
            {
                throw new InvalidOperationException($"{((YamlScalarNode)name).Value} ({type}) is attached to {roleId}: the check reads inline policies only (the role's Policies and AWS::IAM::RolePolicy).");
            }
        }

        var lambda = new List<AwsCall>();
        var logGroup = template.Resolve(DeployedTemplate.Child(DeployedTemplate.Child(properties, "LoggingConfig"), "LogGroup")) as string
            ?? throw new InvalidOperationException($"{functionId} has no LoggingConfig.LogGroup; the check expects a log group of the template's.");
        var logStream = $"arn:aws:logs:{DeployedTemplate.Region}:{DeployedTemplate.Account}:log-group:{logGroup}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef";
        lambda.Add(new AwsCall("logs:CreateLogStream", logStream, LambdaLogs));
        lambda.Add(new AwsCall("logs:PutLogEvents", logStream, LambdaLogs));

        foreach (var (_, definition) in (DeployedTemplate.Child(properties, "Events") as YamlMappingNode)?.Children ?? Enumerable.Empty<KeyValuePair<YamlNode, YamlNode>>())
        {
            if ((DeployedTemplate.Child(definition, "Type") as YamlScalarNode)?.Value != "DynamoDB")
            {
                continue;
            }

            var eventProperties = DeployedTemplate.Child(definition, "Properties");
            var stream = template.ResolveString(DeployedTemplate.Child(eventProperties, "Stream"), $"{functionId} stream");
            foreach (var action in new[] { "DescribeStream", "GetRecords", "GetShardIterator", "ListStreams" })
            {
                lambda.Add(new AwsCall("dynamodb:" + action, stream, LambdaStream));
            }

            if (template.Resolve(DeployedTemplate.Child(DeployedTemplate.Child(DeployedTemplate.Child(eventProperties, "DestinationConfig"), "OnFailure"), "Destination")) is string destination)
            {
                lambda.Add(destination.StartsWith("arn:aws:sqs:", StringComparison.Ordinal)
                    ? new AwsCall("sqs:SendMessage", destination, LambdaOnFailure)
                    : destination.StartsWith("arn:aws:sns:", StringComparison.Ordinal)
                        ? new AwsCall("sns:Publish", destination, LambdaOnFailure)
                        : throw new InvalidOperationException($"{functionId}: on-failure destination {destination} is neither SQS nor SNS."));
            }
        }

        if (template.Resolve(DeployedTemplate.Child(properties, "VpcConfig")) is Dictionary<string, object?> vpc)
        {
            lambda.AddRange(VpcCalls(vpc, functionId));
        }

        var tracing = template.Resolve(DeployedTemplate.Child(properties, "Tracing"))
            ?? template.Resolve(DeployedTemplate.Child(DeployedTemplate.Child(DeployedTemplate.Child(template.Root, "Globals"), "Function"), "Tracing"));
        if (tracing is "Active")
        {
            lambda.Add(new AwsCall("xray:PutTraceSegments", "*", LambdaXRay));
            lambda.Add(new AwsCall("xray:PutTelemetryRecords", "*", LambdaXRay));
        }

        var sse = template.Resolve(DeployedTemplate.Child(DeployedTemplate.Child(template.Resource("Table"), "Properties"), "SSESpecification")) as Dictionary<string, object?>;
        return new FunctionRole(functionId, roleId, statements, lambda, sse?.GetValueOrDefault("KMSMasterKeyId") as string);
    }

    /// <summary>
    /// Every call the role must allow, given what the code was recorded doing: the code's calls, Lambda's, and KMS
    /// through DynamoDB when the table has its own key (for the table, its indexes and its stream alike).
    /// </summary>
    public IReadOnlyList<AwsCall> AllCalls(DeployedTemplate template, IEnumerable<AwsCall> codeCalls)
    {
        var calls = codeCalls.Concat(LambdaCalls).ToList();
        var tableArn = template.AttributeOf("Table", "Arn");
        if (TableKey is { } key && calls.Any(c => c.Action.StartsWith("dynamodb:", StringComparison.Ordinal) && (c.Resource == tableArn || c.Resource.StartsWith(tableArn + "/", StringComparison.Ordinal))))
        {
            calls.Add(new AwsCall("kms:Decrypt", key, ThroughDynamoDb)
            {
                Context = new Dictionary<string, string>(StringComparer.Ordinal) { ["kms:ViaService"] = $"dynamodb.{DeployedTemplate.Region}.amazonaws.com" },
            });
        }

        var distinct = new List<AwsCall>();
        foreach (var call in calls.Select(c => c.Generalized()))
        {
            if (!distinct.Any(d => d.SameAs(call)))
            {
                distinct.Add(call);
            }
        }

        return distinct;
    }

    private static IEnumerable<AwsCall> VpcCalls(Dictionary<string, object?> vpc, string functionId)
    {
        var ec2 = $"arn:aws:ec2:{DeployedTemplate.Region}:{DeployedTemplate.Account}:";
        var eni = ec2 + "network-interface/" + NetworkInterfaceId;
        yield return new AwsCall("ec2:CreateNetworkInterface", eni, LambdaVpc);
        foreach (var (key, kind) in new[] { ("SubnetIds", "subnet"), ("SecurityGroupIds", "security-group") })
        {
            var ids = Ids(vpc.GetValueOrDefault(key));
            if (ids.Count == 0)
            {
                throw new InvalidOperationException($"{functionId}.VpcConfig.{key} resolves to no id; give the cache's parameters when checking a stack with it.");
            }

            // CreateNetworkInterface is authorized on the interface, its subnet and its security groups.
            foreach (var id in ids)
            {
                yield return new AwsCall("ec2:CreateNetworkInterface", $"{ec2}{kind}/{id}", LambdaVpc);
            }
        }

        yield return new AwsCall("ec2:DescribeNetworkInterfaces", "*", LambdaVpc);
        foreach (var action in new[] { "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses" })
        {
            yield return new AwsCall(action, eni, LambdaVpc);
        }

        // A CommaDelimitedList parameter resolves to its text here ("a,b"); a literal list to its items.
        static List<string> Ids(object? value) => value switch
        {
            string text => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            List<object?> list => [.. list.OfType<string>().SelectMany(v => Ids(v))],
            _ => [],
        };
    }

    /// <summary>The same role with one statement changed (tests of the check itself).</summary>
    public FunctionRole With(Func<PolicyStatement, PolicyStatement> change) => new(FunctionId, RoleId, [.. Statements.Select(change)], LambdaCalls, TableKey);
}
