using Amazon.DynamoDBv2.Model;
using Serverless.Data.Table;
using Serverless.Testing;
using YamlDotNet.RepresentationModel;

namespace Serverless.Data.Tests.Table;

/// <summary>template.yaml's table is the table the code creates: same keys, attributes, indexes, TTL and stream.</summary>
public sealed class TemplateTableTests
{
    private static readonly CreateTableRequest Expected = TableDefinition.CreateTableRequest("unused");

    [Fact]
    public void The_template_table_has_the_code_definitions_keys_and_attributes()
    {
        var table = TableProperties();
        Assert.Equal(KeySchema(Expected.KeySchema), KeySchema(Seq(table, "KeySchema")));
        Assert.Equal(
            Expected.AttributeDefinitions.Select(a => $"{a.AttributeName}:{a.AttributeType.Value}").Order(),
            Seq(table, "AttributeDefinitions").Select(a => $"{Scalar(a, "AttributeName")}:{Scalar(a, "AttributeType")}").Order());
        Assert.Equal(Expected.BillingMode.Value, Scalar(table, "BillingMode"));
    }

    [Fact]
    public void The_template_table_has_the_code_definitions_indexes_and_projections()
    {
        var expected = Expected.GlobalSecondaryIndexes
            .Select(i => $"{i.IndexName} {KeySchema(i.KeySchema)} {i.Projection.ProjectionType.Value}")
            .Order();
        var actual = Seq(TableProperties(), "GlobalSecondaryIndexes")
            .Select(i => $"{Scalar(i, "IndexName")} {KeySchema(Seq(i, "KeySchema"))} {Scalar(Map(i, "Projection"), "ProjectionType")}")
            .Order();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_template_table_expires_by_ttl_and_streams_both_images_with_point_in_time_recovery()
    {
        var table = TableProperties();
        Assert.Equal(TableDefinition.TtlAttribute, Scalar(Map(table, "TimeToLiveSpecification"), "AttributeName"));
        Assert.Equal("true", Scalar(Map(table, "TimeToLiveSpecification"), "Enabled"));
        Assert.Equal(Expected.StreamSpecification.StreamViewType.Value, Scalar(Map(table, "StreamSpecification"), "StreamViewType"));
        Assert.Equal("true", Scalar(Map(table, "PointInTimeRecoverySpecification"), "PointInTimeRecoveryEnabled"));
    }

    [Fact]
    public void The_template_names_the_table_from_a_parameter_defaulting_to_the_options_default()
    {
        var root = Root();
        var tableName = (YamlScalarNode)TableProperties().Children[new YamlScalarNode("TableName")];
        Assert.Equal("!Ref", tableName.Tag.Value);
        Assert.Equal("TableName", tableName.Value);
        Assert.Equal(new TableOptions().TableName, Scalar(Map(Map(root, "Parameters"), "TableName"), "Default"));
        Assert.Equal("AWS::Serverless-2016-10-31", Scalar(root, "Transform"));
    }

    [Fact]
    public async Task Cfn_lint_reports_nothing_for_the_template()
    {
        var cfnLint = Executables.FindOnPath("cfn-lint");
        if (cfnLint is null)
        {
            Assert.Skip("cfn-lint is not installed on this machine (pip install cfn-lint); the template was not linted.");
        }

        var lint = await Executables.RunInRepositoryAsync(cfnLint, ["template.yaml"], TestContext.Current.CancellationToken);
        Assert.True(lint.ExitCode == 0 && lint.Output.Length == 0, $"cfn-lint exit {lint.ExitCode}:\n{lint.Output}{lint.Errors}");
    }

    private static YamlMappingNode Root()
    {
        var yaml = new YamlStream();
        // The representation model keeps CloudFormation's short tags (!Ref, !GetAtt) as node tags instead of failing on them.
        using var reader = new StringReader(File.ReadAllText(RepoPaths.Of("template.yaml")));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlMappingNode TableProperties()
    {
        var tables = Map(Root(), "Resources").Children.Values.OfType<YamlMappingNode>()
            .Where(r => Scalar(r, "Type") == "AWS::DynamoDB::Table")
            .ToList();
        return Map(Assert.Single(tables), "Properties");
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static IEnumerable<YamlMappingNode> Seq(YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node.Children[new YamlScalarNode(key)]).Children.Cast<YamlMappingNode>();

    private static string? Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value;

    private static string KeySchema(IEnumerable<KeySchemaElement> keys) => string.Join(",", keys.Select(k => $"{k.AttributeName}:{k.KeyType.Value}"));

    private static string KeySchema(IEnumerable<YamlMappingNode> keys) => string.Join(",", keys.Select(k => $"{Scalar(k, "AttributeName")}:{Scalar(k, "KeyType")}"));
}
