using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Serverless.Api.Infrastructure.Json;

/// <summary>The one set of JSON rules for requests and responses: strict on input, predictable on output.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;

        // The web defaults match names case-insensitively; "Email" is not our field, so it is refused like any other.
        options.PropertyNameCaseInsensitive = false;

        // A misspelled or unsupported field is an error the client must hear about, not something silently dropped.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;

        // The web defaults read "12" as 12; money and quantities must arrive as JSON numbers.
        options.NumberHandling = JsonNumberHandling.Strict;

        // null where the DTO says non-nullable, a missing required member, or the same member twice are all errors.
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
        options.AllowDuplicateProperties = false;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;

        options.Converters.Add(new UserStatusJsonConverter());
        options.Converters.Add(new AddressTypeJsonConverter());
        options.Converters.Add(new OrderStatusJsonConverter());
        options.Converters.Add(new CommentTargetJsonConverter());
        options.Converters.Add(new AuditActionJsonConverter());

        // Decimals answered as DynamoDB stores them, so a write's answer and a later read agree.
        options.Converters.Add(new CanonicalDecimalJsonConverter());

        // Source-generated metadata first: no reflection, so Native AOT and trimming keep working.
        options.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default.WithAddedModifier(NonNullableMembers.Guard));
    }
}
