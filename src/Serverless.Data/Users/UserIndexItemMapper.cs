using Serverless.Domain.Search;
using Serverless.Domain.Users;

namespace Serverless.Data.Users;

/// <summary>
/// The items a user's transaction keeps in step with the user item: the email marker (uniqueness), one item
/// per name word (search) and one per address city (users by city).
/// </summary>
public static class UserIndexItemMapper
{
    /// <summary>
    /// EMAIL#token / EMAIL, the token being the email's blind index (<see cref="UserProtection.EmailToken"/>). Its
    /// existence is what makes an email taken. A soft-deleted user's marker carries the user's ttl, so the address
    /// frees itself when the user's retention ends.
    /// </summary>
    /// <param name="blindVersion">The blind key version <paramref name="emailToken"/> was made under.</param>
    public static Dictionary<string, AttributeValue> EmailMarker(User user, string emailToken, int blindVersion)
    {
        ArgumentNullException.ThrowIfNull(user);
        var item = CommonAttributes.NewItem(Keys.EmailMarker(emailToken), EntityTypes.EmailMarker, SchemaVersions.Initial);
        item[Attr.UserId] = Av.Guid(user.Id);
        item[Attr.BlindVersion] = Av.N(blindVersion);
        item.AddIfNotNull(Attr.LastWriter, user.LastWriter);
        if (user.Status == UserStatus.Deleted && user.PurgeAfter is { } purgeAfter)
        {
            item[Attr.Ttl] = Av.EpochSeconds(purgeAfter);
        }

        return item;
    }

    /// <summary>USER#id / WORD#token, indexed in GSI1 under WORD#token (the token: a stem's blind index, <see cref="UserProtection.WordToken"/>).</summary>
    public static Dictionary<string, AttributeValue> Word(User user, string wordToken) =>
        TermItem(user, Keys.UserWord, EntityTypes.UserWord, wordToken, IndexKeys.Word(wordToken));

    /// <summary>USER#id / CITY#token, indexed in GSI1 under CITY#token (the token: a city's blind index, <see cref="UserProtection.CityToken"/>).</summary>
    public static Dictionary<string, AttributeValue> City(User user, string cityToken) =>
        TermItem(user, Keys.UserCity, EntityTypes.UserCity, cityToken, IndexKeys.City(cityToken));

    /// <summary>A user found by a term (a blind index of a word of the name, or of a city): in the user's partition, and in GSI1's.</summary>
    private static Dictionary<string, AttributeValue> TermItem(
        User user, Func<Guid, string, ItemKey> keyOf, string entityType, string term, string indexPartition)
    {
        ArgumentNullException.ThrowIfNull(user);
        var item = CommonAttributes.NewItem(keyOf(user.Id, term), entityType, SchemaVersions.Initial);
        item[Attr.UserId] = Av.Guid(user.Id);
        item[Attr.Term] = Av.S(term);
        item[Attr.Gsi1PK] = Av.S(indexPartition);
        item[Attr.Gsi1SK] = Av.S(IndexKeys.UserSort(user.Id));
        item.AddIfNotNull(Attr.LastWriter, user.LastWriter);
        return item;
    }

    /// <summary>The distinct word stems a user is found by (empty for a deleted user: it leaves the search).</summary>
    public static IReadOnlyList<string> WordsOf(User user) =>
        user.Status == UserStatus.Deleted ? [] : SearchTerms.Of(user.Name);

    /// <summary>The distinct normalized cities a user is found by (empty for a deleted user).</summary>
    public static IReadOnlyList<string> CitiesOf(User user) =>
        user.Status == UserStatus.Deleted
            ? []
            : [.. user.Addresses.Select(a => CityName.Normalize(a.City)).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal)];

    /// <summary>The user id an index item points at.</summary>
    public static Guid UserIdOf(IReadOnlyDictionary<string, AttributeValue> item) => new ItemReader(item).Guid(Attr.UserId);
}
