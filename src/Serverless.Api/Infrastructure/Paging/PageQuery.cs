using System.Globalization;
using Serverless.Data.Paging;

namespace Serverless.Api.Infrastructure.Paging;

/// <summary>
/// Query values are taken as text and parsed here, so a bad one is a 400 naming the parameter (minimal APIs' own
/// binding answers a bare 400 without saying which). The range of <c>limit</c> (1..MaxPageLimit) is the data layer's.
/// </summary>
public static class PageQuery
{
    public static PageRequest From(string? cursor, string? limit) => new(Int("limit", limit), cursor);

    public static int? Int(string name, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ValidationException([new FieldError(name, "must be a whole number.")]);
    }

    /// <summary>
    /// A whole number within [<paramref name="min"/>, <paramref name="max"/>], checked here so the error is keyed by
    /// the query parameter's name (the data layer checks the same range under its own argument's name).
    /// </summary>
    public static int? Int(string name, string? value, int min, int max)
    {
        var number = Int(name, value);
        return number is null || (number >= min && number <= max)
            ? number
            : throw new ValidationException([new FieldError(name, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}."))]);
    }
}
