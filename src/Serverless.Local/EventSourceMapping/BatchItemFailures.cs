using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Local.EventSourceMapping;

/// <summary>The function's partial-batch answer: <c>{"batchItemFailures":[{"itemIdentifier":"&lt;SequenceNumber&gt;"}]}</c>.</summary>
public sealed record BatchItemFailuresResponse
{
    [JsonPropertyName("batchItemFailures")]
    public IReadOnlyList<BatchItemFailure?>? BatchItemFailures { get; init; }
}

public sealed record BatchItemFailure
{
    [JsonPropertyName("itemIdentifier")]
    public string? ItemIdentifier { get; init; }
}

/// <summary>How a batch went, read the way Lambda reads a function's response with ReportBatchItemFailures on.</summary>
public abstract record BatchOutcome
{
    private BatchOutcome()
    {
    }

    public sealed record Success : BatchOutcome;

    /// <summary>Records from <see cref="FirstFailedIndex"/> on must be retried; the ones before it are done.</summary>
    public sealed record Partial(int FirstFailedIndex) : BatchOutcome;

    /// <summary>The whole batch failed: the function threw, or its response named a record Lambda cannot find.</summary>
    public sealed record Failed(string Reason, bool FunctionError) : BatchOutcome;

    /// <summary>
    /// Success for an empty or null response or failure list; failure of the whole batch for a null, empty or unknown
    /// itemIdentifier or a response that is not that JSON shape; otherwise a retry from the lowest failed sequence number.
    /// </summary>
    public static BatchOutcome FromResponse(ReadOnlySpan<byte> response, IReadOnlyList<string> sequenceNumbers)
    {
        var trimmed = response.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed.SequenceEqual("null"u8))
        {
            return new Success();
        }

        BatchItemFailuresResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(trimmed, EventSourceMappingJsonContext.Default.BatchItemFailuresResponse);
        }
        catch (JsonException e)
        {
            return new Failed($"the response is not a batchItemFailures document ({e.Message})", FunctionError: false);
        }

        if (parsed?.BatchItemFailures is not { Count: > 0 } failures)
        {
            return new Success();
        }

        var first = int.MaxValue;
        foreach (var failure in failures)
        {
            var id = failure?.ItemIdentifier;
            var index = string.IsNullOrEmpty(id) ? -1 : IndexOf(sequenceNumbers, id);
            if (index < 0)
            {
                return new Failed($"batchItemFailures names '{id}', which is not a record of the batch", FunctionError: false);
            }

            first = Math.Min(first, index);
        }

        return new Partial(first);
    }

    private static int IndexOf(IReadOnlyList<string> items, string value)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
