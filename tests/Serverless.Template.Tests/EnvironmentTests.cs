using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serverless.Api.Infrastructure.Auth;
using Serverless.Data.Table;

namespace Serverless.Template.Tests;

/// <summary>What the code reads from its environment is what the template (and env.json for sam local) gives it.</summary>
public sealed class EnvironmentTests
{
    private static readonly SamTemplate Template = SamTemplate.Load();

    [Fact]
    public void Every_environment_variable_the_code_reads_is_set_by_the_template_for_each_function_that_runs_it()
    {
        var problems = new List<string>();
        foreach (var function in Template.Functions())
        {
            Assert.True(CodeEnvironment.ProjectsByHandler.TryGetValue(function.Handler ?? "", out var projects),
                $"{function.LogicalId}: handler '{function.Handler}' is not mapped to the projects it runs (CodeEnvironment.ProjectsByHandler).");
            var scan = CodeEnvironment.Of(projects);
            var set = function.Environment;
            foreach (var (variable, files) in scan.Variables.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                if (!set.ContainsKey(variable) && !CodeEnvironment.ReservedByLambda.Contains(variable)
                    && !(function.Tracing == "Active" && CodeEnvironment.SetByLambdaWhenTraced.Contains(variable)))
                {
                    problems.Add($"{function.LogicalId} does not set {variable} (read in {string.Join(", ", files)})");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_source_scan_finds_the_variables_the_code_is_known_to_read_and_leaves_none_unexplained()
    {
        var scan = CodeEnvironment.Of(CodeEnvironment.ProjectsByHandler.Values.SelectMany(p => p).Distinct());
        // A scan that silently found nothing would make the test above pass vacuously.
        foreach (var known in new[] { "TABLE_NAME", "Table__TableName", "SERVICE_NAME", "DYNAMODB_ENDPOINT", "AUDIT_RETENTION_DAYS", "_HANDLER", "AWS_LAMBDA_RUNTIME_API" })
        {
            Assert.Contains(known, scan.Variables.Keys);
        }

        Assert.True(scan.Unresolved.Count == 0,
            "Environment reads whose variable the scan cannot name (use a string literal or a const named …Variable):\n" + string.Join("\n", scan.Unresolved));
    }

    [Fact]
    public void The_template_sets_no_variable_that_lambda_reserves()
    {
        foreach (var function in Template.Functions())
        {
            var reserved = function.Environment.Keys.Where(CodeEnvironment.ReservedByLambda.Contains).ToList();
            Assert.True(reserved.Count == 0, $"{function.LogicalId} sets Lambda's own {string.Join(", ", reserved)}; the deploy would fail.");
        }
    }

    [Fact]
    public void Every_function_works_on_the_templates_table()
    {
        foreach (var function in Template.Functions())
        {
            var environment = function.Environment;
            Assert.Equal(Template.ParameterDefault("TableName"), environment["TABLE_NAME"]);
            Assert.Equal(environment["TABLE_NAME"], environment["Table__TableName"]);
            // Empty on AWS: the code then uses the SDK's regional endpoint.
            Assert.Equal("", environment["DYNAMODB_ENDPOINT"]);
        }
    }

    [Fact]
    public void The_api_starts_with_the_configuration_the_template_gives_it()
    {
        var environment = Template.Function("ApiFunction").Environment;
        // The cursor key is the stack's generated secret, resolved by CloudFormation at deploy time.
        Assert.Matches(@"^\{\{resolve:secretsmanager:<CursorSigningKeySecret>:SecretString\}\}$", environment["Table__CursorSigningKey"]);

        using var app = ApiHost.Build(environment);
        // ValidateOnStart options (Api, Auth) and the table options the repositories get, as the first request would.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        var table = app.Services.GetRequiredService<TableOptions>();
        Assert.Equal(Template.ParameterDefault("TableName"), table.TableName);
        Assert.Equal(int.Parse(Template.ParameterDefault("CreatedDateShards")!, System.Globalization.CultureInfo.InvariantCulture), table.CreatedDateShards);
        Assert.Equal(TimeSpan.FromDays(double.Parse(Template.ParameterDefault("SoftDeleteRetentionDays")!, System.Globalization.CultureInfo.InvariantCulture)), table.SoftDeleteRetention);
        // On Lambda the JWT authorizer has validated the token; the app must trust its claims, not re-validate.
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        Assert.True(auth.UsesHostPrincipal);
        // Never Development on AWS, so the local stack's development keys are refused there.
        Assert.Equal("Production", environment["DOTNET_ENVIRONMENT"]);
        Assert.False(app.Services.GetRequiredService<IHostEnvironment>().IsDevelopment());
    }

    [Fact]
    public void The_api_checks_the_issuer_and_audiences_the_http_apis_jwt_authorizer_is_configured_with()
    {
        var environment = Template.Function("ApiFunction").Environment;
        var jwt = SamTemplate.Map(SamTemplate.Map(SamTemplate.Map(SamTemplate.Map(SamTemplate.Map(SamTemplate.Map(
            Template.Resources, "HttpApi"), "Properties"), "Auth"), "Authorizers"), "JwtAuthorizer"), "JwtConfiguration")!;

        Assert.Equal(Template.Resolve(jwt.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("issuer")]), environment["Auth__Issuer"]);
        Assert.Equal(Template.Resolve(jwt.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("audience")]), environment["Auth__Audience"]);
    }

    [Fact]
    public async Task Sam_local_with_env_json_accepts_a_token_from_the_token_command()
    {
        // What sam local start-api runs: the template's variables, those env.json names replaced by its values.
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Of("env.json")));
        var environment = new Dictionary<string, string>(Template.Function("ApiFunction").Environment, StringComparer.Ordinal);
        foreach (var variable in document.RootElement.GetProperty("ApiFunction").EnumerateObject())
        {
            environment[variable.Name] = variable.Value.GetString()!;
        }

        using var app = ApiHost.Build(environment);
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        var jwt = app.Services.GetRequiredService<IOptionsMonitor<Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions>>()
            .Get(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme);
        var token = DevAuth.CreateToken("sam-local", ["data.read"], TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow);

        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, jwt.TokenValidationParameters);

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.False(app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.UsesHostPrincipal);
    }

    [Fact]
    public void Env_json_sets_only_variables_the_template_declares_and_points_every_function_at_a_local_dynamodb()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Of("env.json")));
        var functions = Template.Functions().ToDictionary(f => f.LogicalId, StringComparer.Ordinal);
        Assert.Equal(functions.Keys.Order(StringComparer.Ordinal), document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var entry in document.RootElement.EnumerateObject())
        {
            var declared = functions[entry.Name].Environment;
            foreach (var variable in entry.Value.EnumerateObject())
            {
                // sam local applies env.json only to variables the template declares; anything else is silently ignored.
                Assert.True(declared.ContainsKey(variable.Name), $"env.json sets {entry.Name}.{variable.Name}, which the template does not declare.");
            }

            var endpoint = entry.Value.GetProperty("DYNAMODB_ENDPOINT").GetString();
            Assert.True(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme == "http", $"{entry.Name}: DYNAMODB_ENDPOINT '{endpoint}' is not a local http endpoint.");
            Assert.Equal(new TableOptions().TableName, entry.Value.GetProperty("TABLE_NAME").GetString());
            Assert.Equal(new TableOptions().TableName, entry.Value.GetProperty("Table__TableName").GetString());
        }

        // sam local does not run API Gateway's JWT authorizer, so the API validates the local stack's tokens itself, in
        // the Development environment, where the token command's key, issuer and audience are accepted.
        var api = document.RootElement.GetProperty("ApiFunction");
        Assert.Equal("false", api.GetProperty("Auth__TrustHostPrincipal").GetString());
        Assert.Equal("Development", api.GetProperty("DOTNET_ENVIRONMENT").GetString());
        Assert.Equal(DevAuth.Issuer, api.GetProperty("Auth__Issuer").GetString());
        Assert.Equal(DevAuth.Audience, api.GetProperty("Auth__Audience").GetString());
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(api.GetProperty("Table__CursorSigningKey").GetString()!) >= TableOptions.MinimumSigningKeyBytes);

        // The cache invalidation function has nothing to do without a cache: it points at a Redis on the host's port 6379;
        // the API stays off the cache unless one is asked for.
        Assert.Equal("host.docker.internal:6379", document.RootElement.GetProperty("CacheInvalidationFunction").GetProperty("Cache__Endpoint").GetString());
        Assert.False(api.TryGetProperty("Cache__Endpoint", out _));
    }
}
