using System.Text;

namespace Serverless.Data.Items;

/// <summary>
/// DynamoDB's item size, computed as its documentation describes, so an oversized item is a validation error
/// (nothing written) instead of a service error from inside a transaction.
/// </summary>
public static class ItemSize
{
    /// <summary>400 KB, names and values together.</summary>
    public const int MaxBytes = 400 * 1024;

    public static int Of(IReadOnlyDictionary<string, AttributeValue> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var size = 0;
        foreach (var (name, value) in item)
        {
            size += Encoding.UTF8.GetByteCount(name) + SizeOf(value);
        }

        return size;
    }

    /// <summary>Throws a <see cref="ValidationException"/> on field <c>item</c> when the item is over 400 KB.</summary>
    public static void EnsureWithinLimit(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var size = Of(item);
        if (size > MaxBytes)
        {
            throw new ValidationException([new FieldError("item", $"is {size} bytes stored; DynamoDB allows at most {MaxBytes}.")]);
        }
    }

    private static int SizeOf(AttributeValue value)
    {
        if (value.S is not null)
        {
            return Encoding.UTF8.GetByteCount(value.S);
        }

        if (value.N is not null)
        {
            return NumberSize(value.N);
        }

        if (value.B is not null)
        {
            return (int)value.B.Length;
        }

        if (value.M is not null)
        {
            // 3 bytes for the map, 1 per element, plus names and values.
            return 3 + value.M.Sum(e => Encoding.UTF8.GetByteCount(e.Key) + SizeOf(e.Value) + 1);
        }

        if (value.L is not null)
        {
            return 3 + value.L.Sum(e => SizeOf(e) + 1);
        }

        if (value.SS is not null)
        {
            return value.SS.Sum(Encoding.UTF8.GetByteCount);
        }

        if (value.NS is not null)
        {
            return value.NS.Sum(NumberSize);
        }

        if (value.BS is not null)
        {
            return value.BS.Sum(b => (int)b.Length);
        }

        // BOOL and NULL.
        return 1;
    }

    /// <summary>About one byte per two significant digits, plus one.</summary>
    private static int NumberSize(string number)
    {
        var digits = number.Count(char.IsAsciiDigit);
        return ((digits + 1) / 2) + 1;
    }
}
