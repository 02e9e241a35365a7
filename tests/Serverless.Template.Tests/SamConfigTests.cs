using System.Text.RegularExpressions;

namespace Serverless.Template.Tests;

/// <summary>samconfig.toml deploys the template: each environment names its stack and only parameters the template has.</summary>
public sealed partial class SamConfigTests
{
    [Theory]
    [InlineData("default")]
    [InlineData("dev")]
    [InlineData("prod")]
    public void Each_environment_deploys_its_own_stack_with_parameters_the_template_declares(string environment)
    {
        var deploy = Section($"{environment}.deploy.parameters");
        Assert.False(string.IsNullOrWhiteSpace(deploy.GetValueOrDefault("stack_name")), $"[{environment}.deploy.parameters] has no stack_name");
        Assert.Equal("true", deploy.GetValueOrDefault("resolve_s3"));
        // The functions get roles of their own (no named roles), which CloudFormation must be allowed to create.
        Assert.Equal("CAPABILITY_IAM", deploy.GetValueOrDefault("capabilities"));
        var overrides = Override().Matches(deploy.GetValueOrDefault("parameter_overrides") ?? "").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(overrides);
        var declared = SamTemplate.Load().ParameterNames;
        Assert.All(overrides, name => Assert.Contains(name, declared));
    }

    [Fact]
    public void Environments_use_different_stacks_and_tables_and_prod_asks_before_changing_anything()
    {
        var stacks = new[] { "default", "dev", "prod" }.Select(e => Section($"{e}.deploy.parameters")["stack_name"]).ToList();
        Assert.Equal(stacks.Count, stacks.Distinct(StringComparer.Ordinal).Count());
        var tables = new[] { "default", "dev", "prod" }.Select(e => Override().Matches(Section($"{e}.deploy.parameters")["parameter_overrides"])
            .Single(m => m.Groups[1].Value == "TableName").Groups[2].Value).ToList();
        Assert.Equal(tables.Count, tables.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("true", Section("prod.deploy.parameters")["confirm_changeset"]);
        Assert.Contains("DeletionProtection=\\\"true\\\"", Section("prod.deploy.parameters")["parameter_overrides"], StringComparison.Ordinal);
    }

    [Fact]
    public void Prod_notifies_an_sns_topic_when_an_alarm_fires()
    {
        var overrides = Override().Matches(Section("prod.deploy.parameters")["parameter_overrides"])
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        Assert.True(overrides.TryGetValue("AlarmTopicArn", out var topic), "[prod.deploy.parameters] must give AlarmTopicArn: prod alarms without actions page nobody");
        Assert.Matches(@"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$", topic);

        // The template accepts exactly that shape (its AllowedPattern), so a typo fails the deploy, not the first page.
        var pattern = SamTemplate.Scalar(SamTemplate.Map(SamTemplate.Map(SamTemplate.Load().Root, "Parameters"), "AlarmTopicArn"), "AllowedPattern");
        Assert.NotNull(pattern);
        Assert.Matches("^(?:" + pattern + ")$", topic);
        Assert.DoesNotMatch("^(?:" + pattern + ")$", "arn:aws:sqs:us-east-1:123456789012:not-a-topic");
    }

    /// <summary>The key = value lines of one [section] (values unquoted); enough TOML for samconfig's flat tables.</summary>
    private static Dictionary<string, string> Section(string name)
    {
        var lines = File.ReadAllLines(RepoPaths.Of("samconfig.toml"));
        var start = Array.FindIndex(lines, l => l.Trim() == $"[{name}]");
        Assert.True(start >= 0, $"samconfig.toml has no [{name}]");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(start + 1).TakeWhile(l => !l.TrimStart().StartsWith('[')))
        {
            var match = KeyValue().Match(line);
            if (match.Success)
            {
                var value = match.Groups[2].Value.Trim();
                result[match.Groups[1].Value] = value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1] : value;
            }
        }

        return result;
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9_]+)\s*=\s*(.+?)\s*$")]
    private static partial Regex KeyValue();

    // Name=\"value\" inside the TOML string.
    [GeneratedRegex(@"([A-Za-z0-9]+)=\\""([^\\]*)\\""")]
    private static partial Regex Override();
}
