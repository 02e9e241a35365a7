using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serverless.Data.Client;
using Serverless.Data.Privacy;
using Serverless.Lambda.Metrics;
using Serverless.Testing;

namespace Serverless.Data.Tests.Privacy;

/// <summary>
/// Every KMS call of the KMS root key, against moto's KMS, reports its latency and a request per operation (an error
/// too when it fails) on the data layer's meter, and a span named for it; the one dimension is the operation, and no
/// measurement or span holds the key id, a ciphertext or a value of the encryption context.
/// </summary>
public sealed class KmsTelemetryTests(MotoKmsFixture kms) : IDisposable
{
    private const string Tenant = "kms-telemetry-context-value";
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly Recording _recording = new();

    private static Dictionary<string, string> Context(string purpose) => new() { ["table"] = Tenant, ["purpose"] = purpose };

    [Fact]
    public async Task Each_call_reports_latency_and_a_request_by_operation_and_a_span_named_for_it()
    {
        var keyArn = await kms.CreateKeyAsync(_ct);
        var root = new KmsRootKey(kms.CreateClient(), keyArn);
        WrappedKey made;
        using (_recording.Listen())
        {
            made = await root.GenerateAsync(Context("field"), _ct);
            await root.UnwrapAsync(made.Wrapped, Context("field"), _ct);
        }

        Assert.Equal(["Decrypt", "GenerateDataKey"], _recording.Of(KmsTelemetry.RequestsMetric).Select(m => m.Tags["Operation"]).Order(StringComparer.Ordinal));
        Assert.All(_recording.Of(KmsTelemetry.RequestsMetric), m => Assert.Equal(1, m.Value));
        Assert.Equal(["Decrypt", "GenerateDataKey"], _recording.Of(KmsTelemetry.LatencyMetric).Select(m => m.Tags["Operation"]).Order(StringComparer.Ordinal));
        Assert.All(_recording.Of(KmsTelemetry.LatencyMetric), m => Assert.True(m.Value >= 0));
        Assert.Empty(_recording.Of(KmsTelemetry.ErrorsMetric));
        Assert.All(_recording.Measurements, m => Assert.Equal(["Operation"], m.Tags.Keys));

        Assert.Equal(["KMS.GenerateDataKey", "KMS.Decrypt"], _recording.Spans.Select(s => s.DisplayName));
        Assert.All(_recording.Spans, span =>
        {
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.Equal("aws-api", span.GetTagItem(AwsSpanTags.System));
            Assert.Equal("KMS", span.GetTagItem(AwsSpanTags.Service));
            Assert.Equal(span.DisplayName["KMS.".Length..], span.GetTagItem(AwsSpanTags.Method));
            Assert.Equal(200, span.GetTagItem(AwsSpanTags.StatusCode));
            Assert.Equal(MotoKmsFixture.Region, span.GetTagItem(AwsSpanTags.Region));
            Assert.Null(span.GetTagItem(AwsSpanTags.ErrorType));
            Assert.NotEqual(ActivityStatusCode.Error, span.Status);
        });
        AssertNothingSecret(keyArn, made);
    }

    [Fact]
    public async Task A_refused_decrypt_counts_an_error_and_its_span_carries_the_error_type_only()
    {
        var keyArn = await kms.CreateKeyAsync(_ct);
        var root = new KmsRootKey(kms.CreateClient(), keyArn);
        var made = await root.GenerateAsync(Context("field"), _ct);
        using (_recording.Listen())
        {
            await Assert.ThrowsAsync<KeyUnavailableException>(() => root.UnwrapAsync(made.Wrapped, Context("blind"), _ct));
        }

        Assert.Equal("Decrypt", Assert.Single(_recording.Of(KmsTelemetry.ErrorsMetric)).Tags["Operation"]);
        Assert.Equal("Decrypt", Assert.Single(_recording.Of(KmsTelemetry.RequestsMetric)).Tags["Operation"]);
        Assert.Single(_recording.Of(KmsTelemetry.LatencyMetric));
        var span = Assert.Single(_recording.Spans);
        Assert.Equal("KMS.Decrypt", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("InvalidCiphertextException", span.GetTagItem(AwsSpanTags.ErrorType));
        Assert.Equal("InvalidCiphertextException", span.StatusDescription);
        Assert.Equal(400, span.GetTagItem(AwsSpanTags.StatusCode));
        AssertNothingSecret(keyArn, made);
    }

    [Fact]
    public async Task The_kms_operations_are_admitted_by_the_vocabulary_the_functions_declare_and_refused_by_one_without_them()
    {
        var keyArn = await kms.CreateKeyAsync(_ct);
        var root = new KmsRootKey(kms.CreateClient(), keyArn);
        MeterBridge.EnsureStarted();
        var declared = new MetricsCollector(MetricDimensionVocabulary.From(DynamoDbTelemetry.MetricDimensions.Concat(KmsTelemetry.MetricDimensions)));
        var dynamoOnly = new MetricsCollector(MetricDimensionVocabulary.From(DynamoDbTelemetry.MetricDimensions));

        using (InvocationMetrics.Begin(declared))
        {
            await root.GenerateAsync(Context("field"), _ct);
        }

        using (InvocationMetrics.Begin(dynamoOnly))
        {
            await root.GenerateAsync(Context("field"), _ct);
        }

        Assert.False(declared.IsEmpty);
        Assert.Equal(0, declared.Refused);
        // Only GenerateDataKey is outside the DynamoDB operations: its latency and its request are refused.
        Assert.Equal(2, dynamoOnly.Refused);
    }

    private void AssertNothingSecret(string keyArn, WrappedKey made)
    {
        var keyId = keyArn[(keyArn.LastIndexOf('/') + 1)..];
        var secrets = new[] { keyArn, keyId, Tenant, Convert.ToBase64String(made.Wrapped), Convert.ToHexString(made.Wrapped) };
        var written = _recording.Measurements.SelectMany(m => m.Tags.Values)
            .Concat(_recording.Spans.SelectMany(s => s.TagObjects.Select(t => t.Value switch
            {
                string[] many => string.Join(",", many),
                var one => Convert.ToString(one, System.Globalization.CultureInfo.InvariantCulture),
            })))
            .Concat(_recording.Spans.Select(s => s.DisplayName + " " + s.StatusDescription))
            .ToList();
        Assert.NotEmpty(written);
        Assert.All(written, text => Assert.All(secrets, secret => Assert.DoesNotContain(secret, text ?? "", StringComparison.OrdinalIgnoreCase)));
    }

    public void Dispose() => _recording.Dispose();

    /// <summary>The data layer's measurements and spans made on this test's flow (other tests run beside it).</summary>
    private sealed class Recording : IDisposable
    {
        private readonly AsyncLocal<bool> _mine = new();
        private readonly MeterListener _meters;
        private readonly ActivityListener _spans;
        private readonly ConcurrentQueue<(string Metric, IReadOnlyDictionary<string, string?> Tags, double Value)> _measurements = new();
        private readonly ConcurrentQueue<Activity> _stopped = new();

        public Recording()
        {
            _meters = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == DataDiagnostics.Name && instrument.Name.StartsWith("Kms", StringComparison.Ordinal))
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _meters.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
            _meters.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
            _meters.Start();
            _spans = new ActivityListener
            {
                ShouldListenTo = source => source.Name == DataDiagnostics.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => _mine.Value ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
                ActivityStopped = activity =>
                {
                    if (_mine.Value && activity.Recorded)
                    {
                        _stopped.Enqueue(activity);
                    }
                },
            };
            ActivitySource.AddActivityListener(_spans);
        }

        public IReadOnlyList<(string Metric, IReadOnlyDictionary<string, string?> Tags, double Value)> Measurements => [.. _measurements];

        public IReadOnlyList<Activity> Spans => [.. _stopped];

        public IReadOnlyList<(string Metric, IReadOnlyDictionary<string, string?> Tags, double Value)> Of(string metric) =>
            [.. _measurements.Where(m => m.Metric == metric)];

        public IDisposable Listen()
        {
            _mine.Value = true;
            return new Stop(this);
        }

        private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!_mine.Value)
            {
                return;
            }

            var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, tag) in tags)
            {
                copy[key] = tag as string;
            }

            _measurements.Enqueue((instrument.Name, copy, value));
        }

        public void Dispose()
        {
            _meters.Dispose();
            _spans.Dispose();
        }

        private sealed class Stop(Recording owner) : IDisposable
        {
            public void Dispose() => owner._mine.Value = false;
        }
    }
}
