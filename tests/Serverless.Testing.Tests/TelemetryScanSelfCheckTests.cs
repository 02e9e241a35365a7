using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Serverless.Testing.Telemetry;

namespace Serverless.Testing.Tests;

/// <summary>
/// The telemetry scan's self-check, on a tap of its own (never the process's, so no test assembly's scan sees these
/// lines): a line or a metric that does carry a registered value, a token or an address is found, named by where it
/// was and which kind, without the value.
/// </summary>
public sealed class TelemetryScanSelfCheckTests : IDisposable
{
    private const string Email = "grace.hopper.selfcheck@example.net";
    private const string Name = "Grace Brewster Hopper";

    // A meter prefix of its own, so this tap hears only this class's meter.
    private readonly string _meterPrefix = "Serverless.SelfCheck." + Guid.NewGuid().ToString("N");
    private readonly TelemetryTap _tap;

    public TelemetryScanSelfCheckTests() => _tap = new TelemetryTap(_meterPrefix);

    [Fact]
    public void A_log_line_with_a_registered_email_is_found_under_its_category_without_the_value()
    {
        _tap.Secrets.Add(PiiKind.Email, Email);
        using (var factory = LoggerFactory.Create(logging => logging.AddProvider(_tap.CreateLoggerProvider())))
        {
            factory.CreateLogger("SelfCheck.Leaky").LogInformation("Created {Who}", Email.ToUpperInvariant());
        }

        var result = TelemetryScan.Run(_tap);

        Assert.Equal(1, result.LogLines);
        var finding = Assert.Single(result.Findings.Keys, f => f.Kind == nameof(PiiKind.Email));
        Assert.Equal("log line of SelfCheck.Leaky (message)", finding.Where);
        Assert.DoesNotContain(Email, result.Describe(), StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(TelemetryScanCheck.Problems(result, minimumLogLines: 1, minimumMeasurements: 0, minimumSecrets: 1));
    }

    [Fact]
    public void A_clean_line_passes_and_a_tap_that_saw_too_little_fails()
    {
        _tap.Secrets.Add(PiiKind.Name, Name);
        using (var factory = LoggerFactory.Create(logging => logging.AddProvider(_tap.CreateLoggerProvider())))
        {
            factory.CreateLogger("SelfCheck.Clean").LogInformation("GET /users/{{id}} answered {Status}", 200);
        }

        var result = TelemetryScan.Run(_tap);

        Assert.Empty(result.Findings);
        Assert.Empty(TelemetryScanCheck.Problems(result, minimumLogLines: 1, minimumMeasurements: 0, minimumSecrets: 1));
        Assert.NotEmpty(TelemetryScanCheck.Problems(result, minimumLogLines: 2, minimumMeasurements: 0, minimumSecrets: 1));
        Assert.NotEmpty(TelemetryScanCheck.Problems(result, minimumLogLines: 1, minimumMeasurements: 1, minimumSecrets: 1));
    }

    [Fact]
    public void A_metric_tag_holding_a_name_is_found_by_instrument_and_tag()
    {
        _tap.Secrets.Add(PiiKind.Name, Name);
        using var meter = new Meter(_meterPrefix + ".Meter");
        var counter = meter.CreateCounter<long>("SelfCheckRequests");
        counter.Add(1, new KeyValuePair<string, object?>("Route", "/users/{id}"));
        counter.Add(1, new KeyValuePair<string, object?>("Who", Name));

        var result = TelemetryScan.Run(_tap);

        Assert.Equal(2, result.Measurements);
        var finding = Assert.Single(result.Findings.Keys);
        Assert.Equal(new TelemetryFinding("metric SelfCheckRequests tag Who", nameof(PiiKind.Name)), finding);
    }

    [Fact]
    public void An_emf_document_or_an_exception_with_a_token_is_found_even_unregistered()
    {
        const string Jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWxmLWNoZWNrIn0.c2lnbmF0dXJlLW9mLXRoZS1zZWxmLWNoZWNr";
        using (var output = _tap.Tee(null))
        {
            // Written in two pieces, as a writer may: the tap still sees one line.
            output.Write("""{"_aws":{"CloudWatchMetrics":[{"Metrics":[{"Name":"ApiLatency"}]}]},"Caller":"Bearer """u8);
            output.Write((Jwt + "\"}\n").Select(c => (byte)c).ToArray());
        }

        using (var factory = LoggerFactory.Create(logging => logging.AddProvider(_tap.CreateLoggerProvider())))
        {
            factory.CreateLogger("SelfCheck.Failing").LogError(new InvalidOperationException("token " + Jwt), "Failed");
        }

        var result = TelemetryScan.Run(_tap);

        Assert.Equal(1, result.EmfDocuments);
        Assert.Contains(new TelemetryFinding("EMF document of ApiLatency (Caller)", "JWT-shaped token"), result.Findings.Keys);
        Assert.Contains(result.Findings.Keys, f => f.Where.StartsWith("log line of SelfCheck.Failing (exception.", StringComparison.Ordinal) && f.Kind == "JWT-shaped token");
    }

    [Theory]
    [InlineData("balance 12.50 kept", true)]
    [InlineData("answered in 112.505 ms", false)]
    [InlineData("answered in 12.5 ms", false)]
    [InlineData("answered in 100.5 ms", false)]
    public void A_balance_is_found_as_a_whole_number_with_its_scale_only(string text, bool found)
    {
        _tap.Secrets.AddBalance(12.50m);
        _tap.Secrets.AddBalance(100.5m);
        var matcher = new SecretMatcher(_tap.Secrets.Snapshot());
        Assert.Equal(found, matcher.KindsIn(text).Contains(nameof(PiiKind.Balance)));
    }

    [Fact]
    public void Values_from_a_json_body_are_registered_by_field_and_short_ones_are_not()
    {
        _tap.Secrets.Json("""{"email":"ann.body@example.com","name":"Ann Bodywright","password":"correct horse","addresses":[{"street":"9 Elm Row","city":"Leith","country":"GB"}],"metadata":{"tier":"gold"}}""");
        var values = _tap.Secrets.Snapshot();
        Assert.Equal(PiiKind.Email, values["ann.body@example.com"]);
        Assert.Equal(PiiKind.Name, values["Ann Bodywright"]);
        Assert.Equal(PiiKind.Password, values["correct horse"]);
        Assert.Equal(PiiKind.Street, values["9 Elm Row"]);
        Assert.Equal(PiiKind.City, values["Leith"]);
        Assert.False(values.ContainsKey("GB"));
        Assert.False(values.ContainsKey("gold"));

        // Refused input: an "email" with no '@' is not an address, and a string .NET cannot hold registers nothing.
        _tap.Secrets.Json("""{"email":"email","name":"\ud800 lone surrogate","metadata":{"\udc00 key":"x"},"addresses":[{"city":"activePage"},{"street":"Active"}]}""");
        Assert.False(_tap.Secrets.Snapshot().ContainsKey("email"));
        Assert.Equal(values.Count, _tap.Secrets.Count);
    }

    public void Dispose() => _tap.Dispose();
}
