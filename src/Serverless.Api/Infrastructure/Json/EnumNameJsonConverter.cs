using System.Text.Json;
using System.Text.Json.Serialization;
using Serverless.Domain.Audit;
using Serverless.Domain.Comments;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Api.Infrastructure.Json;

/// <summary>
/// Enums on the wire spelled exactly as the seed spells them (<c>active</c>, <c>pending</c>, <c>Post</c>, <c>INSERT</c>),
/// taken from the domain's one name table rather than from a naming policy, so the API, the stored items and the
/// stream events can never disagree. Numbers and unknown names are rejected, never guessed.
/// </summary>
public abstract class EnumNameJsonConverter<T>(EnumNameMap<T> names) : JsonConverter<T>, INamedValuesConverter
    where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && names.TryParse(reader.GetString(), out var value))
        {
            return value;
        }

        throw new JsonFieldException($"must be one of: {string.Join(", ", names.Names)}.");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(names.Name(value));
    }

    /// <summary>The accepted names, for the OpenAPI schema.</summary>
    public IReadOnlyList<string> Names => names.Names;
}

/// <summary>A converter that accepts a fixed set of names, so an error can list them.</summary>
public interface INamedValuesConverter
{
    IReadOnlyList<string> Names { get; }
}

public sealed class UserStatusJsonConverter() : EnumNameJsonConverter<UserStatus>(EnumNames.UserStatus);

public sealed class AddressTypeJsonConverter() : EnumNameJsonConverter<AddressType>(EnumNames.AddressType);

public sealed class OrderStatusJsonConverter() : EnumNameJsonConverter<OrderStatus>(EnumNames.OrderStatus);

public sealed class CommentTargetJsonConverter() : EnumNameJsonConverter<CommentTarget>(EnumNames.CommentTarget);

public sealed class AuditActionJsonConverter() : EnumNameJsonConverter<AuditAction>(EnumNames.AuditAction);

/// <summary>
/// A JSON error whose message is written for the client (it names no .NET type), so the problem response can
/// pass it on as is; System.Text.Json fills in <see cref="JsonException.Path"/>.
/// </summary>
public sealed class JsonFieldException(string message) : JsonException(message);
