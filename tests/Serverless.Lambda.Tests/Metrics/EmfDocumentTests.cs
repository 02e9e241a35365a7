using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Serverless.Lambda.Metrics;

namespace Serverless.Lambda.Tests.Metrics;

public sealed class EmfDocumentTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly MetricDimensionVocabulary Vocabulary = MetricDimensionVocabulary.From(
    [
        new("Route", ["/users/{id}", "/orders"]),
        new("Method", ["GET", "POST"]),
    ]);

    private static MetricsCollector Collector(bool refuse = true) =>
        new(Vocabulary, [new(LambdaMetricsOptions.ServiceDimension, "api")], refuse);

    private static List<JsonObject> Documents(MetricsCollector collector) =>
        EmfDocumentWriter.Write(collector, "Serverless", Now, [new("request_id", "request-1")]).Select(d => EmfSpecification.AssertValid(d)).ToList();

    [Fact]
    public void A_document_has_the_shape_the_specification_gives_it()
    {
        var collector = Collector();
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 12.5, [new("Route", "/users/{id}"), new("Method", "GET")]);
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 7, [new("Method", "GET"), new("Route", "/users/{id}")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/users/{id}"), new("Method", "GET")], storageResolution: 1);

        var document = Assert.Single(Documents(collector));

        Assert.Equal(Now.ToUnixTimeMilliseconds(), (long)document["_aws"]!["Timestamp"]!);
        var directive = Assert.Single(document["_aws"]!["CloudWatchMetrics"]!.AsArray())!;
        Assert.Equal("Serverless", (string)directive["Namespace"]!);
        Assert.Equal(["Service", "Route", "Method"], directive["Dimensions"]!.AsArray().Single()!.AsArray().Select(n => (string)n!));
        var metrics = directive["Metrics"]!.AsArray();
        Assert.Equal(("ApiLatency", "Milliseconds", 60), ((string)metrics[0]!["Name"]!, (string)metrics[0]!["Unit"]!, (int)metrics[0]!["StorageResolution"]!));
        Assert.Equal(("ApiRequests", "Count", 1), ((string)metrics[1]!["Name"]!, (string)metrics[1]!["Unit"]!, (int)metrics[1]!["StorageResolution"]!));
        Assert.Equal([12.5, 7], document["ApiLatency"]!.AsArray().Select(v => (double)v!));
        Assert.Equal(1, (double)document["ApiRequests"]!);
        Assert.Equal(("api", "/users/{id}", "GET"), ((string)document["Service"]!, (string)document["Route"]!, (string)document["Method"]!));
        Assert.Equal("request-1", (string)document["request_id"]!);
    }

    [Fact]
    public void Sets_that_agree_on_their_shared_dimensions_share_one_document_a_directive_each()
    {
        var collector = Collector();
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders"), new("Method", "POST")]);
        collector.Add("DynamoDbLatency", MetricUnit.Milliseconds, 4, [new("Method", "POST")]);
        collector.Add("ColdStart", MetricUnit.Count, 1);

        var document = Assert.Single(Documents(collector));

        var directives = document["_aws"]!["CloudWatchMetrics"]!.AsArray();
        Assert.Equal(
            [["Service", "Route", "Method"], ["Service", "Method"], ["Service"]],
            directives.Select(d => d!["Dimensions"]!.AsArray().Single()!.AsArray().Select(n => (string)n!).ToArray()));
        Assert.Equal([["ApiRequests"], ["DynamoDbLatency"], ["ColdStart"]], directives.Select(d => d!["Metrics"]!.AsArray().Select(m => (string)m!["Name"]!).ToArray()));
        Assert.Equal(("api", "/orders", "POST"), ((string)document["Service"]!, (string)document["Route"]!, (string)document["Method"]!));
        Assert.Equal((1.0, 4.0, 1.0), ((double)document["ApiRequests"]!, (double)document["DynamoDbLatency"]!, (double)document["ColdStart"]!));
        Assert.Equal("request-1", (string)document["request_id"]!);
    }

    [Fact]
    public void A_metric_named_as_another_set_s_dimension_never_shares_its_document()
    {
        var collector = Collector();
        collector.Add("Method", MetricUnit.Count, 2, [new("Route", "/orders")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Method", "GET")]);

        var documents = Documents(collector);

        Assert.Equal(2, documents.Count);
        Assert.Equal(2, (double)documents[0]["Method"]!);
        Assert.Equal("GET", (string)documents[1]["Method"]!);
    }

    [Fact]
    public void Directives_sharing_a_document_hold_at_most_one_hundred_metrics_in_all()
    {
        var collector = Collector();
        for (var i = 0; i < 60; i++)
        {
            collector.Add($"A{i}", MetricUnit.Count, 1, [new("Route", "/orders")]);
            collector.Add($"B{i}", MetricUnit.Count, 1, [new("Method", "GET")]);
        }

        var documents = Documents(collector);

        Assert.Equal(2, documents.Count);
        Assert.All(documents, d => Assert.Equal(60, d["_aws"]!["CloudWatchMetrics"]!.AsArray().Sum(x => x!["Metrics"]!.AsArray().Count)));
    }

    [Fact]
    public void Two_values_of_one_dimension_need_a_document_each()
    {
        var collector = Collector();
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/users/{id}")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders")]);

        var documents = Documents(collector);

        Assert.Equal(2, documents.Count);
        Assert.Equal(1, (double)documents[0]["ApiRequests"]!);
        Assert.Equal([1.0, 1.0], documents[1]["ApiRequests"]!.AsArray().Select(v => (double)v!));
    }

    [Fact]
    public void The_same_values_by_route_and_over_the_whole_api_are_one_member_of_one_document()
    {
        var collector = Collector();
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 12.5, [new("Route", "/users/{id}"), new("Method", "GET")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/users/{id}"), new("Method", "GET")]);
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 12.5);
        collector.Add("ApiRequests", MetricUnit.Count, 1);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Method", "GET")]);

        var document = Assert.Single(Documents(collector));

        var directives = document["_aws"]!["CloudWatchMetrics"]!.AsArray();
        Assert.Equal(
            [["Service", "Route", "Method"], ["Service"], ["Service", "Method"]],
            directives.Select(d => d!["Dimensions"]!.AsArray().Single()!.AsArray().Select(n => (string)n!).ToArray()));
        Assert.Equal(
            [["ApiLatency", "ApiRequests"], ["ApiLatency", "ApiRequests"], ["ApiRequests"]],
            directives.Select(d => d!["Metrics"]!.AsArray().Select(m => (string)m!["Name"]!).ToArray()));
        Assert.Equal((12.5, 1.0), ((double)document["ApiLatency"]!, (double)document["ApiRequests"]!));
    }

    [Fact]
    public void The_same_metric_with_other_values_or_unit_needs_a_document_of_its_own()
    {
        var collector = Collector();
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 12.5, [new("Route", "/users/{id}")]);
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 12.5);
        collector.Add("ApiLatency", MetricUnit.Milliseconds, 3);
        collector.Add("ApiRequests", MetricUnit.Count, 2, [new("Route", "/users/{id}")]);
        collector.Add("ApiRequests", MetricUnit.Milliseconds, 2, [new("Method", "GET")]);

        var documents = Documents(collector);

        Assert.Equal(2, documents.Count);
        Assert.Equal(12.5, (double)documents[0]["ApiLatency"]!);
        Assert.Equal([12.5, 3.0], documents[1]["ApiLatency"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("Count", (string)documents[0]["_aws"]!["CloudWatchMetrics"]!.AsArray()[0]!["Metrics"]!.AsArray()[1]!["Unit"]!);
        Assert.Equal("Milliseconds", (string)documents[1]["_aws"]!["CloudWatchMetrics"]!.AsArray()[1]!["Metrics"]!.AsArray()[0]!["Unit"]!);
    }

    [Fact]
    public void A_dimension_given_twice_is_refused_even_once_its_set_was_recorded()
    {
        var collector = Collector(refuse: false);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders"), new("Method", "GET")]);

        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders"), new("Route", "/orders")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders"), new("Service", "api")]);

        Assert.Equal(2, collector.Refused);
        Assert.Equal(1, (double)Documents(collector)[0]["ApiRequests"]!);
    }

    [Fact]
    public void A_metric_named_as_a_dimension_of_a_recorded_set_is_refused()
    {
        var collector = Collector();
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "/orders")]);

        Assert.Throws<ArgumentException>(() => collector.Add("Route", MetricUnit.Count, 1, [new("Route", "/orders")]));
        Assert.Throws<ArgumentException>(() => collector.Add("Service", MetricUnit.Count, 1, [new("Route", "/orders")]));
    }

    [Fact]
    public void A_set_with_many_metrics_keeps_each_metric_s_values_together()
    {
        var collector = Collector();
        for (var round = 0; round < 3; round++)
        {
            for (var m = 0; m < 20; m++)
            {
                collector.Add($"Metric{m}", MetricUnit.Milliseconds, (m * 10) + round, [new("Route", "/orders")]);
            }
        }

        var document = Assert.Single(Documents(collector));

        Assert.Equal(20, document["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]!.AsArray().Count);
        for (var m = 0; m < 20; m++)
        {
            Assert.Equal([m * 10.0, (m * 10) + 1.0, (m * 10) + 2.0], document[$"Metric{m}"]!.AsArray().Select(v => (double)v!));
        }
    }

    [Theory]
    [InlineData("someone@example.com")]
    [InlineData("01HZX3K9Q4M7V2B8N6C5D1E0FG")]
    [InlineData("/users/01HZX3K9Q4M7V2B8N6C5D1E0FG")]
    public void A_high_cardinality_value_is_refused_as_a_dimension(string value)
    {
        var collector = Collector();

        var refused = Assert.Throws<MetricDimensionException>(() =>
            collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", value)]));

        Assert.DoesNotContain(value, refused.Message, StringComparison.Ordinal);
        Assert.True(collector.IsEmpty);
    }

    [Fact]
    public void A_dimension_name_outside_the_vocabulary_is_refused()
    {
        var collector = Collector();

        Assert.Throws<MetricDimensionException>(() => collector.Add("ApiRequests", MetricUnit.Count, 1, [new("UserId", "/orders")]));
    }

    [Fact]
    public void In_production_a_refused_dimension_drops_the_measurement_and_is_counted()
    {
        var collector = Collector(refuse: false);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Route", "someone@example.com")]);
        collector.Add("ApiRequests", MetricUnit.Count, 1, [new("Email", "someone@example.com")]);

        var document = Assert.Single(Documents(collector));

        Assert.Null(document["ApiRequests"]);
        Assert.Equal(2, (double)document[MetricsCollector.RefusedMetricName]!);
        Assert.DoesNotContain("someone@example.com", document.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_thirty_dimensions_in_a_set_are_refused()
    {
        var names = Enumerable.Range(1, 30).Select(i => $"D{i}").ToList();
        var vocabulary = MetricDimensionVocabulary.From(names.Select(n => new KeyValuePair<string, IReadOnlyCollection<string>>(n, ["x"])));
        var collector = new MetricsCollector(vocabulary, [new("Service", "api")], refuseWithException: true);
        var thirty = names.Select(n => new KeyValuePair<string, string?>(n, "x")).ToArray();

        Assert.Throws<MetricDimensionException>(() => collector.Add("M", MetricUnit.Count, 1, thirty));
        collector.Add("M", MetricUnit.Count, 1, thirty[..29]);

        var document = Assert.Single(EmfDocumentWriter.Write(collector, "Serverless", Now));
        Assert.Equal(30, EmfSpecification.AssertValid(document)["_aws"]!["CloudWatchMetrics"]![0]!["Dimensions"]![0]!.AsArray().Count);
    }

    [Fact]
    public void A_flood_of_metrics_is_split_into_documents_of_at_most_one_hundred_not_dropped()
    {
        var collector = Collector();
        for (var i = 0; i < 250; i++)
        {
            collector.Add($"Metric{i}", MetricUnit.Milliseconds, i);
        }

        var documents = Documents(collector);

        Assert.Equal(3, documents.Count);
        var names = documents.SelectMany(d => d["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]!.AsArray().Select(m => (string)m!["Name"]!)).ToList();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"Metric{i}"), names);
        Assert.All(documents, d => Assert.InRange(d["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]!.AsArray().Count, 1, 100));
    }

    [Fact]
    public void More_than_one_hundred_values_of_a_metric_are_split_across_documents_not_dropped()
    {
        var collector = Collector();
        for (var i = 0; i < 250; i++)
        {
            collector.Add("DynamoDbLatency", MetricUnit.Milliseconds, i);
        }

        collector.Add("ApiLatency", MetricUnit.Milliseconds, 3);

        var documents = Documents(collector);

        Assert.Equal(3, documents.Count);
        var values = documents.SelectMany(d => d["DynamoDbLatency"] is JsonArray a ? a.Select(v => (double)v!) : [(double)d["DynamoDbLatency"]!]).ToList();
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (double)i), values);
        Assert.Equal(3, (double)documents[0]["ApiLatency"]!);
        Assert.Null(documents[1]["ApiLatency"]);
        Assert.DoesNotContain(documents[2]["_aws"]!["CloudWatchMetrics"]![0]!["Metrics"]!.AsArray(), m => (string)m!["Name"]! == "ApiLatency");
    }

    [Fact]
    public void Nothing_recorded_writes_nothing_and_a_zero_count_is_not_a_measurement()
    {
        var collector = Collector();
        Assert.Empty(EmfDocumentWriter.Write(collector, "Serverless", Now));

        collector.Add("DynamoDbThrottles", MetricUnit.Count, 0);
        Assert.True(collector.IsEmpty);

        collector.Add("ApiLatency", MetricUnit.Milliseconds, 0);
        Assert.Equal(0, (double)Assert.Single(Documents(collector))["ApiLatency"]!);
    }

    [Fact]
    public void A_meter_of_the_project_records_into_the_current_invocation_only()
    {
        MeterBridge.EnsureStarted();
        using var meter = new Meter("Serverless.Tests.Bridge");
        var histogram = meter.CreateHistogram<double>("BridgeLatency", MetricUnit.Milliseconds);
        var outside = Collector();
        var collector = Collector();

        histogram.Record(5, new KeyValuePair<string, object?>("Route", "/orders"));
        using (InvocationMetrics.Begin(collector))
        {
            histogram.Record(9, new KeyValuePair<string, object?>("Route", "/orders"));
            Assert.Throws<MetricDimensionException>(() => histogram.Record(1, new KeyValuePair<string, object?>("Route", "someone@example.com")));
        }

        var document = Assert.Single(Documents(collector));
        Assert.Equal(9, (double)document["BridgeLatency"]!);
        Assert.Equal("/orders", (string)document["Route"]!);
        Assert.True(outside.IsEmpty);
    }

    [Fact]
    public void A_measurement_carries_its_own_tags_only_whatever_the_thread_recorded_before()
    {
        MeterBridge.EnsureStarted();
        using var meter = new Meter("Serverless.Tests.BridgeTags");
        var counter = meter.CreateCounter<long>("BridgeRequests", MetricUnit.Count);
        var collector = Collector();

        using (InvocationMetrics.Begin(collector))
        {
            counter.Add(1, new KeyValuePair<string, object?>("Route", "/orders"), new KeyValuePair<string, object?>("Method", "GET"));
            counter.Add(2, new KeyValuePair<string, object?>("Method", "POST"));
            counter.Add(4);
        }

        // One value of one name under three sets: three documents (a root member holds one series).
        var documents = Documents(collector);
        Assert.Equal(
            [(["Service", "Route", "Method"], 1.0), (["Service", "Method"], 2.0), (["Service"], 4.0)],
            documents.Select(d => (
                Assert.Single(d["_aws"]!["CloudWatchMetrics"]!.AsArray())!["Dimensions"]!.AsArray().Single()!.AsArray().Select(n => (string)n!).ToArray(),
                (double)d["BridgeRequests"]!)));
    }

    [Fact]
    public void A_flush_from_a_kept_shape_writes_exactly_what_the_writer_writes()
    {
        // Shapes drawn at random and each written many times with new values: every line a thread's flushes write from
        // the shapes they keep must be byte for byte the writer's own, whatever the values and however the shapes repeat.
        var random = new Random(20261208);
        var lines = new EmfLines(keepTemplates: true);
        string[] names = ["ApiLatency", "ApiRequests", "DynamoDbLatency", "ColdStart"];
        string[] units = [MetricUnit.Milliseconds, MetricUnit.Count];
        var shapes = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, random.Next(1, 5)).Select(_ => (
            Name: names[random.Next(names.Length)],
            Unit: units[random.Next(units.Length)],
            Dimensions: random.Next(4) switch
            {
                0 => Array.Empty<KeyValuePair<string, string?>>(),
                1 => [new("Route", "/orders")],
                2 => [new("Method", "GET")],
                _ => new KeyValuePair<string, string?>[] { new("Route", "/users/{id}"), new("Method", "POST") },
            },
            Values: random.Next(8) == 0 ? 2 : 1)).ToArray()).ToArray();
        double Value() => random.Next(5) switch
        {
            0 => random.Next(0, 1000),
            1 => random.NextDouble() * 1e-6,
            2 => Math.Round(random.NextDouble() * 100, 4),
            3 => random.NextDouble() * 1e17,
            _ => random.NextDouble(),
        };

        var fromTemplates = 0;
        for (var n = 0; n < 600; n++)
        {
            var collector = Collector(refuse: false);
            foreach (var (name, unit, dimensions, values) in shapes[random.Next(shapes.Length)])
            {
                for (var v = 0; v < values; v++)
                {
                    try
                    {
                        collector.Add(name, unit, Value(), dimensions);
                    }
                    catch (ArgumentException)
                    {
                        // A name that is one of its set's dimensions: refused as it always is.
                    }
                }
            }

            string[] requestIds = [$"request-{n}", "0HNQKQJKUSCVD:000005AA", "needs \"escaping\""];
            IReadOnlyList<KeyValuePair<string, string>> properties = [new("function_request_id", requestIds[random.Next(requestIds.Length)])];
            var timestamp = Now.AddMilliseconds(random.Next(100_000));
            var kept = lines.Templates!.Count;
            EmfDocumentWriter.WriteLines(collector, "Serverless", timestamp, properties, lines);
            var expected = EmfDocumentWriter.Write(collector, "Serverless", timestamp, properties);

            Assert.Equal(expected.Count, lines.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected[i]) + "\n", System.Text.Encoding.UTF8.GetString(lines.Line(i)));
                EmfSpecification.AssertValid(expected[i]);
            }

            fromTemplates += lines.Templates.Count == kept && expected.Count > 0 ? 1 : 0;
        }

        // Most flushes repeat a shape seen before, so most lines above came from kept shapes.
        Assert.InRange(lines.Templates!.Count, 1, EmfDocumentTemplates.Capacity);
        Assert.True(fromTemplates > 300, $"{fromTemplates} of 600 flushes were written from kept shapes.");
    }
}
