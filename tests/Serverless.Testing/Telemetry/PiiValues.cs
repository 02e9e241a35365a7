using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Serverless.Domain.Orders;
using Serverless.Domain.Users;

namespace Serverless.Testing.Telemetry;

/// <summary>
/// The secrets the tests make (PII of the users they build or send, the tokens they mint, the signing keys they
/// configure), registered as they are made, for <see cref="TelemetryScan"/> to look for in what was written.
/// </summary>
public sealed class PiiValues
{
    /// <summary>
    /// Shorter values ("Ada", "GB", "x") are not looked for: they occur in ordinary text by chance, and a finding
    /// that is chance teaches nothing. Emails, tokens and keys are long anyway.
    /// </summary>
    public const int MinimumLength = 5;

    /// <summary>
    /// The words of the metrics' own closed dimension vocabularies ("email" is a cache's name, "activePage" another's,
    /// "Query" an operation's): a test that sends one, or a part of one ("active"), as a name sends no PII, and finding
    /// it in a dimension would be finding the word.
    /// </summary>
    private static readonly string[] Vocabulary = [..
        Serverless.Data.Caching.CacheTelemetry.MetricDimensions.Concat(Serverless.Data.Client.DynamoDbTelemetry.MetricDimensions).SelectMany(d => d.Value)];

    private readonly ConcurrentDictionary<string, PiiKind> _values = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _values.Count;

    public IReadOnlyDictionary<string, PiiKind> Snapshot() => new Dictionary<string, PiiKind>(_values, StringComparer.OrdinalIgnoreCase);

    public void Add(PiiKind kind, string? value)
    {
        if (value is null)
        {
            return;
        }

        var trimmed = value.Trim();
        // An "email" a bad-input test sends without an '@' ("email", "not-an-address") is no address, and as a word it
        // is in ordinary telemetry (the cache's dimension value "email").
        if (trimmed.Length >= MinimumLength && !Vocabulary.Any(word => word.Contains(trimmed, StringComparison.OrdinalIgnoreCase)) && (kind != PiiKind.Email || trimmed.Contains('@', StringComparison.Ordinal)))
        {
            _values.TryAdd(trimmed, kind);
        }
    }

    /// <summary>A JWT, and its signature alone, so a token cut short (a truncated header in a message) is still found.</summary>
    public void AddToken(string? token)
    {
        Add(PiiKind.Token, token);
        if (token?.Split('.') is [_, _, { Length: >= 16 } signature])
        {
            Add(PiiKind.Token, signature);
        }
    }

    /// <summary>
    /// A balance as a decimal writes itself, with its scale ("12.50"), and only one whose last decimal is a zero: a double
    /// (a duration, a capacity in an access line) never prints a trailing zero, so "12.50" is never one by chance, while
    /// "100.5" or a whole amount can be (seen: a test's balance equal to a request's duration). Those are not looked for.
    /// </summary>
    public void AddBalance(decimal balance)
    {
        var text = balance.ToString(CultureInfo.InvariantCulture);
        if (balance.Scale > 0 && text.EndsWith('0') && text.Length >= MinimumLength)
        {
            _values.TryAdd(text, PiiKind.Balance);
        }
    }

    public User User(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        Add(PiiKind.Email, user.Email);
        Add(PiiKind.Name, user.Name);
        Add(PiiKind.Phone, user.Phone);
        Add(PiiKind.PasswordHash, user.PasswordHash);
        AddBalance(user.Balance);
        if (user.Metadata?.TryGetValue(PhoneNumber.LegacyMetadataKey, out var legacyPhone) == true)
        {
            Add(PiiKind.Phone, legacyPhone);
        }

        foreach (var address in user.Addresses ?? [])
        {
            Add(PiiKind.Street, address.Street);
            Add(PiiKind.City, address.City);
        }

        Add(PiiKind.Profile, user.Profile?.Bio);
        Add(PiiKind.Profile, user.Profile?.Avatar);
        return user;
    }

    public Order Order(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        Add(PiiKind.Email, order.UserEmail);
        Add(PiiKind.Name, order.UserName);
        return order;
    }

    /// <summary>The PII fields of a JSON body a test sends (any depth); a body that is not JSON registers nothing.</summary>
    public void Json(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            Walk(document.RootElement);
        }
        catch (JsonException)
        {
            // Malformed on purpose (a bad-input test): what it holds is not a value the API ever accepted.
        }
    }

    private void Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (!Readable(property))
                    {
                        continue;
                    }

                    if (property.Value.ValueKind == JsonValueKind.String && KindOf(property.Name) is { } kind)
                    {
                        Add(kind, StringOf(property.Value));
                    }
                    else if (property.Value.ValueKind == JsonValueKind.Number && property.NameEquals("balance") && property.Value.TryGetDecimal(out var balance))
                    {
                        AddBalance(balance);
                    }
                    else
                    {
                        Walk(property.Value);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }

                break;
        }
    }

    /// <summary>A property whose name .NET can hold (a bad-input test sends a lone surrogate in a metadata key too).</summary>
    private static bool Readable(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The string, or nothing for one .NET cannot hold (a lone surrogate escaped in the JSON, sent to be refused).</summary>
    private static string? StringOf(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static PiiKind? KindOf(string property) => property.ToLowerInvariant() switch
    {
        "email" or "useremail" => PiiKind.Email,
        "name" or "username" => PiiKind.Name,
        "phone" => PiiKind.Phone,
        "street" => PiiKind.Street,
        "city" => PiiKind.City,
        "bio" or "avatar" => PiiKind.Profile,
        "password" => PiiKind.Password,
        "passwordhash" => PiiKind.PasswordHash,
        _ => null,
    };
}
