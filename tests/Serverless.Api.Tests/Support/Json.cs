using System.Text.Json;

namespace Serverless.Api.Tests.Support;

public static class Json
{
    /// <summary>JSON text of an anonymous object, so tests read like the requests they send.</summary>
    public static string Of(object value) => JsonSerializer.Serialize(value, Options);

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string UniqueEmail() => $"u{Guid.NewGuid():N}@example.com";
}
