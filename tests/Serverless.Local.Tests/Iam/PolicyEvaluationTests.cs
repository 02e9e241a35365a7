namespace Serverless.Local.Tests.Iam;

/// <summary>
/// The parts of IAM's evaluation and of CloudFormation's resolution the role check relies on, each on its own, so a
/// role never passes because the checker misread it.
/// </summary>
public sealed class PolicyEvaluationTests
{
    private const string Table = "arn:aws:dynamodb:us-east-1:123456789012:table/Serverless";

    private static readonly PolicyStatement Writes = new(
        "Writes",
        Allow: true,
        ["dynamodb:PutItem"],
        [Table],
        [new PolicyCondition("ForAllValues:StringLike", "dynamodb:LeadingKeys", ["AUDIT#*"])]);

    [Fact]
    public void A_leading_keys_condition_holds_only_when_every_key_of_the_call_matches_a_prefix()
    {
        Assert.True(Writes.Covers(Put("AUDIT#User#1")));
        Assert.True(Writes.Covers(Put("AUDIT#User#1", "AUDIT#Order#2")));
        Assert.False(Writes.Covers(Put("AUDIT#User#1", "USER#1")));
        Assert.False(Writes.Covers(Put("USER#1")));
    }

    [Fact]
    public void For_all_values_holds_for_a_call_without_the_key_and_string_equals_does_not()
    {
        Assert.True(Writes.Covers(new AwsCall("dynamodb:PutItem", Table, AwsCall.Code)));

        var viaDynamoDb = new PolicyStatement("Key", true, ["kms:Decrypt"], ["*"], [new PolicyCondition("StringEquals", "kms:ViaService", ["dynamodb.us-east-1.amazonaws.com"])]);
        Assert.False(viaDynamoDb.Covers(new AwsCall("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k", AwsCall.Code)));
        Assert.True(viaDynamoDb.Covers(new AwsCall("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k", AwsCall.Code)
        {
            Context = new Dictionary<string, string> { ["kms:ViaService"] = "dynamodb.us-east-1.amazonaws.com" },
        }));
    }

    [Fact]
    public void Actions_match_case_insensitively_with_wildcards_and_resources_exactly_with_wildcards()
    {
        Assert.True(PolicyStatement.ActionMatches("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext"));
        Assert.True(PolicyStatement.ActionMatches("DynamoDB:getitem", "dynamodb:GetItem"));
        Assert.False(PolicyStatement.ActionMatches("dynamodb:Get*", "dynamodb:BatchGetItem"));

        var indexes = new PolicyStatement("Indexes", true, ["dynamodb:Query"], [Table + "/index/*"], []);
        Assert.True(indexes.Covers(new AwsCall("dynamodb:Query", Table + "/index/GSI1", AwsCall.Code)));
        Assert.False(indexes.Covers(new AwsCall("dynamodb:Query", Table, AwsCall.Code)));
        Assert.False(indexes.Covers(new AwsCall("dynamodb:Query", Table.ToUpperInvariant() + "/index/GSI1", AwsCall.Code)));
    }

    [Fact]
    public void A_deny_wins_over_an_allow()
    {
        var allowAll = new PolicyStatement("All", true, ["dynamodb:*"], ["*"], []);
        var denyScan = new PolicyStatement("NoScan", false, ["dynamodb:Scan"], ["*"], []);
        var role = FunctionRole.Of(DeployedTemplate.Load(), "AuditFunction").With(s => s.Sid == "WriteAuditEntries" ? allowAll : s.Sid == "OnFailure" ? denyScan : s);

        var problems = PermissionCheck.Problems(role, [new AwsCall("dynamodb:Scan", Table, AwsCall.Code)]);

        Assert.Contains("AuditFunction: dynamodb:Scan on arn:aws:dynamodb:us-east-1:123456789012:table/Serverless, by the function's code is denied by AuditFunctionRole statement NoScan.", problems);
    }

    [Fact]
    public void The_denormalize_role_allows_PartiQL_updates_in_order_partitions_only_and_no_UpdateItem()
    {
        var template = DeployedTemplate.Load();
        var role = FunctionRole.Of(template, "DenormalizeFunction");
        var table = template.AttributeOf("Table", "Arn");
        bool Allowed(string action, string key) => role.Statements.Any(s => s.Allow && s.Covers(new AwsCall(action, table, AwsCall.Code) { LeadingKeys = [key] }));

        Assert.True(Allowed("dynamodb:PartiQLUpdate", "ORDER#0f1e2d3c-4b5a-4697-8877-66554433aabb"));
        Assert.False(Allowed("dynamodb:PartiQLUpdate", "USER#0f1e2d3c-4b5a-4697-8877-66554433aabb"));
        Assert.False(Allowed("dynamodb:PartiQLInsert", "ORDER#0f1e2d3c-4b5a-4697-8877-66554433aabb"));
        Assert.False(Allowed("dynamodb:UpdateItem", "ORDER#0f1e2d3c-4b5a-4697-8877-66554433aabb"));
    }

    [Fact]
    public void The_template_resolves_the_intrinsics_the_roles_use_into_the_stacks_arns()
    {
        var template = DeployedTemplate.Parse("""
            Parameters:
              TableName: { Type: String, Default: Things }
              KeyArn: { Type: String, Default: '' }
            Conditions:
              HasKey: !Not [!Equals [!Ref KeyArn, '']]
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties: { TableName: !Ref TableName }
              Queue:
                Type: AWS::SQS::Queue
              Logs:
                Type: AWS::Logs::LogGroup
                Properties: { LogGroupName: !Sub '/aws/lambda/${AWS::StackName}/fn' }
              Values:
                Type: Test::Values
                Properties:
                  - !GetAtt Table.Arn
                  - !Sub ${Table.Arn}/index/*
                  - !GetAtt Table.StreamArn
                  - !GetAtt Queue.Arn
                  - !GetAtt Logs.Arn
                  - !If [HasKey, !Ref KeyArn, !Ref AWS::NoValue]
                  - { 'Fn::If': [HasKey, yes, no] }
            """);

        var values = (List<object?>)template.Resolve(DeployedTemplate.Child(template.Resource("Values"), "Properties"))!;

        Assert.Equal(
            [
                "arn:aws:dynamodb:us-east-1:123456789012:table/Things",
                "arn:aws:dynamodb:us-east-1:123456789012:table/Things/index/*",
                $"arn:aws:dynamodb:us-east-1:123456789012:table/Things/stream/{DeployedTemplate.StreamLabel}",
                "arn:aws:sqs:us-east-1:123456789012:serverless-Queue-1A2B3C4D5E6F",
                "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/serverless/fn:*",
                "no",
            ],
            values.Cast<string?>());
    }

    [Fact]
    public void An_intrinsic_the_check_does_not_know_fails_instead_of_being_guessed()
    {
        var template = DeployedTemplate.Parse("""
            Resources:
              Values:
                Type: Test::Values
                Properties: !ImportValue shared-table-arn
            """);

        var error = Assert.Throws<InvalidOperationException>(() => template.Resolve(DeployedTemplate.Child(template.Resource("Values"), "Properties")));
        Assert.Contains("!ImportValue", error.Message, StringComparison.Ordinal);
    }

    private static AwsCall Put(params string[] keys) => new("dynamodb:PutItem", Table, AwsCall.Code) { LeadingKeys = keys };
}
