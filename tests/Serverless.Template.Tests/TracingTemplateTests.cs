namespace Serverless.Template.Tests;

/// <summary>Every function is traced by X-Ray (docs/observability.md, Tracing): Lambda writes its segment and runs the daemon.</summary>
public sealed class TracingTemplateTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_function_has_active_tracing(bool withCache)
    {
        var template = SamTemplate.Load(withCache ? new Dictionary<string, string> { ["CacheEnabled"] = "true" } : null);
        var functions = template.DeployedFunctions();

        Assert.NotEmpty(functions);
        Assert.All(functions, f => Assert.True(f.Tracing == "Active", $"{f.LogicalId}: Tracing is '{f.Tracing}', not Active"));
    }
}
