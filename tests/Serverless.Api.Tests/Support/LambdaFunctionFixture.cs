using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Serverless.DynamoDbLocal;
using Serverless.Functions;
using Serverless.Lambda.Runtime;
using Serverless.Local;
using Serverless.Local.Invoke;
using Serverless.Testing;
using Xunit;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// The API twice over one table: on Kestrel (the base fixture), and as the function <c>invoke ApiFunction</c> runs:
/// the template's ApiFunction, created through <see cref="FunctionCatalog.Registry"/> by its handler name with the
/// variables <see cref="InvokeCommand.FunctionEnvironment"/> gives it, and called with HTTP API 2.0 event bytes through
/// <see cref="ILambdaFunction.InvokeAsync"/>, the boundary Lambda's bootstrap loop and <c>invoke</c> both call.
/// </summary>
public class LambdaFunctionFixture(DynamoDbLocalFixture dynamoDb) : ApiFixture(dynamoDb)
{
    public const string FunctionName = "ApiFunction";

    // Synchronized: the function logs from whichever thread runs the request.
    private readonly Stream _log = Stream.Synchronized(new MemoryStream());
    private ILambdaFunction? _function;
    private TimeSpan _timeout;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var ct = TestContext.Current.CancellationToken;
        var definition = await SamFunction.LoadAsync(RepoPaths.Of("template.yaml"), FunctionName, ct);
        _timeout = definition.Timeout;

        // Nothing inherited but what the fixture says: exactly what a fresh invoke process sets, pointed at this fixture's table.
        var variables = InvokeCommand.FunctionEnvironment(definition, DynamoDbServiceUrl, TableName, name => Inherited.GetValueOrDefault(name)).ToDictionary();
        foreach (var (name, value) in Inherited)
        {
            variables[name] = value;
        }

        var options = new FunctionOptions
        {
            // The host's environment is fixed when its builder is created, before ConfigureHost runs: it is given as the
            // command line's --environment, which a web host reads as it would DOTNET_ENVIRONMENT.
            Args = variables.TryGetValue(LocalEnvironment.DotnetVariable, out var environment) ? ["--environment", environment] : [],
            // invoke sends the JSON log lines to stderr; here they are kept to explain a failing comparison.
            ConfigureLogging = logging => logging.Output = Serverless.Testing.Telemetry.TelemetryTap.Process.Tee(_log),
            // invoke puts the variables in its process environment. Tests share a process, so they go into this
            // host's configuration instead, where the environment provider would put them ("__" separates sections).
            ConfigureHost = host => host.Configuration.AddInMemoryCollection(AsConfiguration(variables)),
        };
        _function = await FunctionCatalog.Registry.CreateAsync(definition.Handler, options, ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_function is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        await _log.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>
    /// Variables as if set in the shell that runs invoke (they win over the template's); none by default, so invoke
    /// runs the function in the Development environment.
    /// </summary>
    protected virtual IReadOnlyDictionary<string, string> Inherited { get; } = new Dictionary<string, string>();

    /// <summary>The function as the bootstrap loop holds it (its metric dimensions, say).</summary>
    public ILambdaFunction Function => _function ?? throw new InvalidOperationException("Not started.");

    /// <summary>What the function logged so far (JSON lines).</summary>
    public string LambdaLog
    {
        get
        {
            lock (_log)
            {
                _log.Flush();
                var position = _log.Position;
                _log.Position = 0;
                using var reader = new StreamReader(_log, Encoding.UTF8, leaveOpen: true);
                var text = reader.ReadToEnd();
                _log.Position = position;
                return text;
            }
        }
    }

    /// <summary>Invokes the function on one HTTP API event, as invoke does (a local context with the template's timeout).</summary>
    public Task<ApiResult> InvokeAsync(ApiRequest request) => InvokeAsync(CreateEvent(request));

    /// <summary>The HTTP API event API Gateway would send for <paramref name="request"/> to the function as configured here.</summary>
    public virtual byte[] CreateEvent(ApiRequest request) => HttpApiEvents.Create(request);

    /// <summary>Invokes the function on event bytes as given (a variant of <see cref="HttpApiEvents.Create"/>'s, say).</summary>
    public async Task<ApiResult> InvokeAsync(byte[] payload)
    {
        var function = _function ?? throw new InvalidOperationException("Not started.");
        var context = LambdaContext.ForLocalInvocation(ProcessEnvironment.Instance, TimeProvider.System, _timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(_timeout);
        var response = await function.InvokeAsync(payload, context, deadline.Token);
        using var document = JsonDocument.Parse(response);
        return ApiResult.FromHttpApiResponse(document.RootElement);
    }

    private static IEnumerable<KeyValuePair<string, string?>> AsConfiguration(IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (key, value) in variables)
        {
            yield return KeyValuePair.Create<string, string?>(key.Replace("__", ":", StringComparison.Ordinal), value);
        }

        // The API reads DYNAMODB_ENDPOINT from the process environment itself (not through configuration), so the
        // endpoint invoke sets there is given as the setting that takes precedence over it.
        yield return KeyValuePair.Create<string, string?>("DynamoDb:ServiceUrl", variables[DynamoDbLocalOptions.EndpointVariable]);
    }
}
