using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Serverless.Template.Tests;

/// <summary>
/// The KMS key that wraps the keyring (docs/privacy.md): rotated by KMS, kept when the stack goes, usable for
/// encryption only by the API function's role and only for this table's keyring; the stream functions, which copy or
/// delete ciphertext, get no use of it.
/// </summary>
public sealed class FieldKeyTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    /// <summary>The KMS operations that make or open data keys or ciphertext: what "using" the key means.</summary>
    private static readonly string[] CryptoActions =
    [
        "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair",
        "kms:GenerateDataKeyPairWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:CreateGrant",
    ];

    private static readonly string[] StreamRoles = ["AuditFunctionRole", "DenormalizeFunctionRole", "PurgeFunctionRole", "CacheInvalidationFunctionRole"];

    private static YamlMappingNode Key => SamTemplate.Map(Template.Resources, "FieldKey")!;

    [Fact]
    public void The_field_key_is_a_symmetric_customer_managed_key_with_automatic_rotation_kept_when_the_stack_goes()
    {
        Assert.Equal("AWS::KMS::Key", SamTemplate.Scalar(Key, "Type"));
        var properties = SamTemplate.Map(Key, "Properties");
        Assert.Equal("true", SamTemplate.Scalar(properties, "EnableKeyRotation"));
        Assert.Equal("SYMMETRIC_DEFAULT", SamTemplate.Scalar(properties, "KeySpec"));
        Assert.Equal("ENCRYPT_DECRYPT", SamTemplate.Scalar(properties, "KeyUsage"));
        // Deleting it erases every encrypted attribute of the table, its backups and its stream at once.
        Assert.Equal("Retain", SamTemplate.Scalar(Key, "DeletionPolicy"));
        Assert.Equal("Retain", SamTemplate.Scalar(Key, "UpdateReplacePolicy"));
        Assert.Equal("30", SamTemplate.Scalar(properties, "PendingWindowInDays"));
    }

    [Fact]
    public void The_key_has_an_alias_and_its_arn_is_an_output_and_the_apis_kms_key_setting()
    {
        var alias = Template.Resources.Children.Values.OfType<YamlMappingNode>().Single(r => SamTemplate.Scalar(r, "Type") == "AWS::KMS::Alias");
        var target = (YamlScalarNode)SamTemplate.Map(alias, "Properties")!.Children[new YamlScalarNode("TargetKeyId")];
        Assert.Equal(("!Ref", "FieldKey"), (target.Tag.Value, target.Value));
        Assert.StartsWith("alias/", SamTemplate.Scalar(SamTemplate.Map(alias, "Properties"), "AliasName"), StringComparison.Ordinal);

        var output = (YamlScalarNode)SamTemplate.Map(SamTemplate.Map(Template.Root, "Outputs"), "FieldKeyArn")!.Children[new YamlScalarNode("Value")];
        Assert.Equal(("!GetAtt", "FieldKey.Arn"), (output.Tag.Value, output.Value));

        var api = Template.Function("ApiFunction").Environment;
        Assert.Equal("<FieldKey.Arn>", api["Privacy__KmsKeyId"]);
        Assert.Equal("", api["KMS_ENDPOINT"]);
        Assert.All(Template.Functions().Where(f => f.LogicalId != "ApiFunction"), f => Assert.False(f.Environment.ContainsKey("Privacy__KmsKeyId"), f.LogicalId));
    }

    [Fact]
    public void The_key_policy_lets_only_the_api_role_use_the_key_and_only_for_this_tables_keyring()
    {
        var statements = Statements(SamTemplate.Map(SamTemplate.Map(Key, "Properties"), "KeyPolicy")!).ToList();
        var users = statements.Where(s => Actions(s).Any(IsCrypto)).ToList();

        var use = Assert.Single(users);
        Assert.Equal("Allow", SamTemplate.Scalar(use, "Effect"));
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], Actions(use).Order(StringComparer.Ordinal));
        var principal = (YamlScalarNode)SamTemplate.Map(use, "Principal")!.Children[new YamlScalarNode("AWS")];
        Assert.Equal(("!GetAtt", "ApiFunctionRole.Arn"), (principal.Tag.Value, principal.Value));
        AssertTableContext(use);

        // The account root administers the key (so it can never become unmanageable) but cannot use it.
        var administration = Assert.Single(statements, s => s != use);
        var root = (YamlScalarNode)SamTemplate.Map(administration, "Principal")!.Children[new YamlScalarNode("AWS")];
        Assert.Equal("arn:${AWS::Partition}:iam::${AWS::AccountId}:root", root.Value);
        Assert.Contains("kms:ScheduleKeyDeletion", Actions(administration));
        Assert.DoesNotContain(Actions(administration), a => a == "kms:*");
    }

    [Fact]
    public void Only_the_api_role_is_granted_the_field_key_and_with_the_same_encryption_context_condition()
    {
        var grants = RolePolicies().Where(p => Statements(p.Document).Any(s => Names(s, "Resource").Contains("FieldKey.Arn") || (Actions(s).Any(IsCrypto) && Names(s, "Resource").Contains("*")))).ToList();

        var grant = Assert.Single(grants);
        Assert.Equal("ApiFunctionRole", grant.Role);
        var statement = Assert.Single(Statements(grant.Document));
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], Actions(statement).Order(StringComparer.Ordinal));
        Assert.Equal(["FieldKey.Arn"], Names(statement, "Resource"));
        AssertTableContext(statement);
    }

    [Fact]
    public void The_stream_roles_can_use_no_kms_key_but_the_tables_own_through_dynamodb()
    {
        foreach (var role in StreamRoles)
        {
            var statements = RolePolicies().Where(p => p.Role == role).SelectMany(p => Statements(p.Document)).ToList();
            Assert.NotEmpty(statements);
            foreach (var statement in statements.Where(s => Actions(s).Any(a => a.StartsWith("kms:", StringComparison.Ordinal))))
            {
                // Only the table's customer managed key (when it has one), and only as DynamoDB uses it for the caller.
                Assert.Equal(["kms:Decrypt"], Actions(statement));
                Assert.Equal(["TableKmsKeyArn"], Names(statement, "Resource"));
                Assert.Contains("kms:ViaService", SamTemplate.Map(SamTemplate.Map(statement, "Condition"), "StringEquals")!.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
            }

            Assert.DoesNotContain(statements, s => Names(s, "Resource").Any(r => r.Contains("FieldKey", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void The_api_role_may_put_the_keyrings_first_versions_and_nothing_else_there()
    {
        var api = RolePolicies().Where(p => p.Role == "ApiFunctionRole").SelectMany(p => Statements(p.Document)).ToList();
        var keyring = api.Where(s => LeadingKeys(s).Contains("KEYRING")).ToList();

        var statement = Assert.Single(keyring);
        Assert.Equal(["dynamodb:PutItem"], Actions(statement));
        Assert.All(api.Where(s => s != statement), s => Assert.DoesNotContain(LeadingKeys(s), k => k.StartsWith("KEYRING", StringComparison.Ordinal) || k == "*"));
    }

    private static void AssertTableContext(YamlMappingNode statement)
    {
        var condition = SamTemplate.Map(SamTemplate.Map(statement, "Condition"), "StringEquals")!;
        var table = (YamlScalarNode)condition.Children[new YamlScalarNode("kms:EncryptionContext:table")];
        Assert.Equal(("!Ref", "Table"), (table.Tag.Value, table.Value));
        Assert.Single(SamTemplate.Map(statement, "Condition")!.Children);
    }

    private static bool IsCrypto(string pattern) =>
        CryptoActions.Any(a => Regex.IsMatch(a, "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase));

    /// <summary>Every role's policy documents: its own Policies and each AWS::IAM::RolePolicy that names it.</summary>
    private static IEnumerable<(string Role, YamlNode Document)> RolePolicies()
    {
        foreach (var (key, value) in Template.Resources.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var properties = SamTemplate.Map(value, "Properties");
            switch (SamTemplate.Scalar(value, "Type"))
            {
                case "AWS::IAM::Role":
                    foreach (var policy in SamTemplate.Seq(properties, "Policies")?.Children ?? [])
                    {
                        yield return (name, SamTemplate.Map(policy, "PolicyDocument")!);
                    }

                    break;
                case "AWS::IAM::RolePolicy":
                    var role = (YamlScalarNode)properties!.Children[new YamlScalarNode("RoleName")];
                    Assert.Equal("!Ref", role.Tag.Value);
                    yield return (role.Value!, SamTemplate.Map(properties, "PolicyDocument")!);
                    break;
                case "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy":
                    Assert.Fail($"{name}: keep the roles' permissions inline, where these checks read them.");
                    break;
            }
        }
    }

    /// <summary>Every statement under a node, inside !If branches too.</summary>
    private static IEnumerable<YamlMappingNode> Statements(YamlNode node) => node switch
    {
        YamlMappingNode map when map.Children.ContainsKey(new YamlScalarNode("Effect")) => [map],
        YamlMappingNode map => map.Children.Values.SelectMany(Statements),
        YamlSequenceNode seq => seq.Children.SelectMany(Statements),
        _ => [],
    };

    private static List<string> Actions(YamlMappingNode statement) => Names(statement, "Action");

    /// <summary>A statement's values under a key, as written: a literal, or the name a !Ref / !GetAtt points at.</summary>
    private static List<string> Names(YamlMappingNode statement, string key) =>
        statement.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value switch
            {
                YamlScalarNode scalar => [scalar.Value!],
                YamlSequenceNode seq => [.. seq.Children.OfType<YamlScalarNode>().Select(s => s.Value!)],
                _ => [],
            }
            : [];

    private static List<string> LeadingKeys(YamlMappingNode statement) =>
        [.. (SamTemplate.Map(statement, "Condition")?.Children.Values ?? []).OfType<YamlMappingNode>()
            .SelectMany(byKey => byKey.Children)
            .Where(c => ((YamlScalarNode)c.Key).Value == "dynamodb:LeadingKeys")
            .SelectMany(c => c.Value is YamlSequenceNode seq ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value!) : [((YamlScalarNode)c.Value).Value!])];
}
