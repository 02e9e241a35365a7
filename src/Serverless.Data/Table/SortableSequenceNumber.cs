using Serverless.Domain.Audit;

namespace Serverless.Data.Table;

/// <summary>
/// Stream sequence numbers inside sort keys. They are decimal strings of varying length (DynamoDB sends 21 to 40
/// digits, DynamoDB Local starts at 21 zero-padded digits), and "9" sorts after "10" as text, so each is zero-padded
/// to the longest form: then string order is numeric order.
/// </summary>
public static class SortableSequenceNumber
{
    /// <exception cref="ArgumentException">Not 1 to 40 decimal digits.</exception>
    public static string Format(string sequenceNumber)
    {
        if (!AuditEntryRules.IsSequenceNumber(sequenceNumber))
        {
            throw new ArgumentException($"A stream sequence number is 1 to {Limits.MaxSequenceNumberDigits} decimal digits.", nameof(sequenceNumber));
        }

        return sequenceNumber.PadLeft(Limits.MaxSequenceNumberDigits, '0');
    }
}
