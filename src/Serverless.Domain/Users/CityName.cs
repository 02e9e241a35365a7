namespace Serverless.Domain.Users;

/// <summary>How a city is compared for "users by address city": case and spacing do not matter.</summary>
public static class CityName
{
    public static string Normalize(string city)
    {
        ArgumentNullException.ThrowIfNull(city);
        return string.Join(' ', city.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
    }
}
