using Serverless.Testing.Telemetry;

namespace Serverless.Api.Tests.Support;

/// <summary>
/// Registers what each request a test sends holds of secrets (its bearer token, the PII fields of its JSON body) with
/// the telemetry tap, so the scan looks for every value the API was given, however the test wrote it.
/// </summary>
internal sealed class TappedRequests : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var secrets = TelemetryTap.Process.Secrets;
        if (request.Headers.Authorization is { Parameter: { } credentials })
        {
            secrets.AddToken(credentials);
        }

        // Only content held in memory is read ahead of the send: a streamed body would be consumed.
        if (request.Content is StringContent or ByteArrayContent)
        {
            secrets.Json(await request.Content.ReadAsStringAsync(cancellationToken));
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
