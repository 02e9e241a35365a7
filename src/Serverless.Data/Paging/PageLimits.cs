namespace Serverless.Data.Paging;

public static class PageLimits
{
    /// <summary>The limit to use: the default when none is given; out of range is a validation error, not a silent clamp.</summary>
    public static int Resolve(int? requested, TableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limit = requested ?? options.DefaultPageLimit;
        if (limit < 1 || limit > options.MaxPageLimit)
        {
            throw new ValidationException([new FieldError("limit", $"must be between 1 and {options.MaxPageLimit}.")]);
        }

        return limit;
    }
}
