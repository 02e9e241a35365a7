using Amazon.Runtime;
using Serverless.Data.Items;

namespace Serverless.Data;

/// <summary>
/// What a log line may say about an error raised under the data layer, for every host that logs one (the API's
/// exception handler, the stream functions). Messages are left out unless they are ours and written to carry no
/// value: an item key holds the value it is looked up by (an email marker's key is the address), a condition or a
/// service message can quote what was sent, and logs never carry PII. What is kept is enough to find the fault:
/// the exception's type, an AWS error's code and status, the fields a validation named, and the types of the
/// exceptions it wraps.
/// </summary>
public static class ErrorLog
{
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var described = exception switch
        {
            AmazonServiceException e => $"{e.GetType().Name} (code {e.ErrorCode}, HTTP {(int)e.StatusCode})",
            ValidationException e => $"{nameof(ValidationException)} on {string.Join(", ", e.Errors.Select(f => f.Field).Distinct(StringComparer.Ordinal))}",

            // Written to name entity types and attributes only (ItemReader never names a key).
            InvalidItemException e => $"{nameof(InvalidItemException)}: {e.Message}",
            OperationCanceledException => "cancelled before the invocation's deadline",
            _ => exception.GetType().FullName ?? exception.GetType().Name,
        };

        return exception.InnerException is { } inner && exception is not AmazonServiceException
            ? described + ", from " + Describe(inner)
            : described;
    }
}
