using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Serverless.Template.Tests;

/// <summary>
/// What the deployed shape promises beyond the functions: the HTTP API throttles and logs every request, stateful
/// resources say what happens to them when the stack goes, the API's concurrency can be reserved, and the OpenAPI
/// document is not served to anonymous callers.
/// </summary>
public sealed class HardeningTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    private static YamlMappingNode HttpApi => SamTemplate.Map(SamTemplate.Map(Template.Resources, "HttpApi"), "Properties")!;

    [Theory]
    [InlineData("ThrottlingBurstLimit", "ApiThrottlingBurstLimit")]
    [InlineData("ThrottlingRateLimit", "ApiThrottlingRateLimit")]
    public void The_http_api_throttles_every_route_by_default_from_a_parameter(string setting, string parameter)
    {
        var settings = SamTemplate.Map(HttpApi, "DefaultRouteSettings");
        Assert.NotNull(settings);
        var value = Assert.IsType<YamlScalarNode>(settings.Children[new YamlScalarNode(setting)]);
        Assert.Equal("!Ref", value.Tag.Value);
        Assert.Equal(parameter, value.Value);

        var declared = SamTemplate.Map(SamTemplate.Map(Template.Root, "Parameters"), parameter);
        Assert.Equal("Number", SamTemplate.Scalar(declared, "Type"));
        Assert.True(int.Parse(Template.ParameterDefault(parameter)!, System.Globalization.CultureInfo.InvariantCulture) > 0, $"{parameter} needs a positive default");
        Assert.Equal("1", SamTemplate.Scalar(declared, "MinValue"));
    }

    [Fact]
    public void Every_request_is_access_logged_as_json_into_a_log_group_with_the_stacks_retention()
    {
        var settings = SamTemplate.Map(HttpApi, "AccessLogSettings");
        Assert.NotNull(settings);
        var destination = Assert.IsType<YamlScalarNode>(settings.Children[new YamlScalarNode("DestinationArn")]);
        Assert.Equal("!GetAtt", destination.Tag.Value);
        var logGroupId = destination.Value!.Split('.')[0];
        Assert.Equal("Arn", destination.Value!.Split('.')[1]);

        var logGroup = SamTemplate.Map(Template.Resources, logGroupId);
        Assert.Equal("AWS::Logs::LogGroup", SamTemplate.Scalar(logGroup, "Type"));
        var retention = Assert.IsType<YamlScalarNode>(SamTemplate.Map(logGroup, "Properties")!.Children[new YamlScalarNode("RetentionInDays")]);
        Assert.Equal(("!Ref", "LogRetentionInDays"), (retention.Tag.Value, retention.Value));

        // API Gateway wants one line of JSON; every value is a $context variable, never a header or the body. (The
        // epoch is written as a number, unquoted: quoted here to parse the format itself.)
        var format = SamTemplate.Scalar(settings, "Format")!;
        using var line = JsonDocument.Parse(format.Replace(":$context.requestTimeEpoch", ":\"$context.requestTimeEpoch\"", StringComparison.Ordinal));
        var fields = line.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal);
        foreach (var usual in new[] { "$context.requestId", "$context.identity.sourceIp", "$context.routeKey", "$context.status", "$context.responseLatency", "$context.integrationErrorMessage" })
        {
            Assert.Contains(usual, fields.Values);
        }

        Assert.All(fields.Values, value => Assert.Matches(@"^\$context\.[A-Za-z.]+$", value));
        Assert.DoesNotContain(fields.Values, v => v.Contains("header", StringComparison.OrdinalIgnoreCase) || v.Contains("body", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("uthorization", format, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_log_group_keeps_its_events_for_the_retention_parameter()
    {
        var groups = Resources("AWS::Logs::LogGroup");
        Assert.True(groups.Count >= 5, "one log group per function and one for the API's access log");
        Assert.All(groups, g =>
        {
            var retention = Assert.IsType<YamlScalarNode>(SamTemplate.Map(g.Resource, "Properties")!.Children[new YamlScalarNode("RetentionInDays")]);
            Assert.Equal(("!Ref", "LogRetentionInDays"), (retention.Tag.Value, retention.Value));
        });
    }

    [Fact]
    public void Every_stateful_resource_says_what_becomes_of_it_on_removal_and_on_replacement()
    {
        var stateful = new[] { "AWS::DynamoDB::Table", "AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::ElastiCache::ServerlessCache" }
            .SelectMany(Resources)
            .ToList();
        Assert.True(stateful.Count >= 8, $"expected the table, the secret, the queue and five log groups; found {stateful.Count}");
        Assert.All(stateful, r =>
        {
            Assert.Contains(SamTemplate.Scalar(r.Resource, "DeletionPolicy"), new[] { "Retain", "Delete", "Snapshot", "RetainExceptOnCreate" });
            Assert.Contains(SamTemplate.Scalar(r.Resource, "UpdateReplacePolicy"), new[] { "Retain", "Delete", "Snapshot" });
        });

        // The data and the evidence outlive the stack.
        Assert.Equal("Retain", SamTemplate.Scalar(SamTemplate.Map(Template.Resources, "Table"), "DeletionPolicy"));
        Assert.All(Resources("AWS::Logs::LogGroup"), g => Assert.Equal("Retain", SamTemplate.Scalar(g.Resource, "DeletionPolicy")));
        // Failures not yet replayed survive a replacement of the queue.
        Assert.Equal("Retain", SamTemplate.Scalar(SamTemplate.Map(Template.Resources, "StreamFailureQueue"), "UpdateReplacePolicy"));
    }

    [Fact]
    public void The_api_functions_reserved_concurrency_comes_from_a_parameter_and_minus_one_leaves_it_unreserved()
    {
        var reserved = Template.Function("ApiFunction").Properties.Children[new YamlScalarNode("ReservedConcurrentExecutions")];
        var branches = Assert.IsType<YamlSequenceNode>(reserved);
        Assert.Equal("!If", branches.Tag.Value);
        Assert.Equal("HasApiReservedConcurrency", ((YamlScalarNode)branches.Children[0]).Value);
        Assert.Equal(("!Ref", "ApiReservedConcurrency"), (branches.Children[1].Tag.Value, ((YamlScalarNode)branches.Children[1]).Value));
        Assert.Equal(("!Ref", "AWS::NoValue"), (branches.Children[2].Tag.Value, ((YamlScalarNode)branches.Children[2]).Value));

        Assert.Equal("-1", Template.ParameterDefault("ApiReservedConcurrency"));
        Assert.Equal("-1", SamTemplate.Scalar(SamTemplate.Map(SamTemplate.Map(Template.Root, "Parameters"), "ApiReservedConcurrency"), "MinValue"));

        // HasApiReservedConcurrency: !Not [!Equals [!Ref ApiReservedConcurrency, -1]]
        var condition = Assert.IsType<YamlSequenceNode>(SamTemplate.Map(Template.Root, "Conditions")!.Children[new YamlScalarNode("HasApiReservedConcurrency")]);
        Assert.Equal("!Not", condition.Tag.Value);
        var equals = Assert.IsType<YamlSequenceNode>(Assert.Single(condition.Children));
        Assert.Equal("!Equals", equals.Tag.Value);
        Assert.Equal(("!Ref", "ApiReservedConcurrency"), (equals.Children[0].Tag.Value, ((YamlScalarNode)equals.Children[0]).Value));
        Assert.Equal("-1", ((YamlScalarNode)equals.Children[1]).Value);
    }

    [Fact]
    public void The_api_id_check_comes_from_a_parameter_the_stack_outputs_and_is_off_until_it_is_given()
    {
        // Auth__ApiId cannot be !Ref HttpApi (a circular dependency): the id goes out as an output and comes back in.
        var variables = SamTemplate.Map(SamTemplate.Map(Template.Function("ApiFunction").Properties, "Environment"), "Variables")!;
        var apiId = variables.Children[new YamlScalarNode("Auth__ApiId")];
        Assert.Equal(("!Ref", "HttpApiId"), (apiId.Tag.Value, ((YamlScalarNode)apiId).Value));
        Assert.Equal(string.Empty, Template.ParameterDefault("HttpApiId"));
        Assert.Equal(string.Empty, Template.Function("ApiFunction").Environment["Auth__ApiId"]);

        var output = SamTemplate.Map(SamTemplate.Map(Template.Root, "Outputs"), "ApiId")!;
        var value = output.Children[new YamlScalarNode("Value")];
        Assert.Equal(("!Ref", "HttpApi"), (value.Tag.Value, ((YamlScalarNode)value).Value));
    }

    [Fact]
    public void The_openapi_document_needs_a_token_with_the_read_scope_on_aws()
    {
        var document = Assert.Single(Template.Function("ApiFunction").Events("HttpApi"), e => e.Name == "OpenApiDocument").Properties;
        var auth = SamTemplate.Map(document, "Auth");
        Assert.NotNull(auth);
        Assert.Null(SamTemplate.Scalar(auth, "Authorizer"));
        Assert.Equal(["data.read"], SamTemplate.Seq(auth, "AuthorizationScopes")!.Children.Select(c => ((YamlScalarNode)c).Value));
    }

    [Fact]
    public void Only_the_health_check_is_open_to_anonymous_callers_on_aws()
    {
        var open = Template.Function("ApiFunction").Events("HttpApi")
            .Where(e => SamTemplate.Scalar(SamTemplate.Map(e.Properties, "Auth"), "Authorizer") == "NONE")
            .Select(e => e.Name);
        Assert.Equal(["Health"], open);
    }

    [Fact]
    public async Task Cfn_lint_with_its_informational_checks_reports_nothing()
    {
        var cfnLint = Executables.FindOnPath("cfn-lint");
        if (cfnLint is null)
        {
            Assert.Skip("cfn-lint is not installed on this machine (pip install cfn-lint); the template was not linted.");
        }

        // I3011 among them: a stateful resource without DeletionPolicy and UpdateReplacePolicy.
        var lint = await Executables.RunInRepositoryAsync(cfnLint, ["template.yaml", "--include-checks", "I"], TestContext.Current.CancellationToken);
        Assert.True(lint.ExitCode == 0 && lint.Output.Length == 0, $"cfn-lint --include-checks I exit {lint.ExitCode}:\n{lint.Output}{lint.Errors}");
    }

    private static List<(string LogicalId, YamlMappingNode Resource)> Resources(string type) =>
    [
        .. Template.Resources.Children
            .Where(r => SamTemplate.Scalar(r.Value, "Type") == type)
            .Select(r => (((YamlScalarNode)r.Key).Value!, (YamlMappingNode)r.Value)),
    ];
}
