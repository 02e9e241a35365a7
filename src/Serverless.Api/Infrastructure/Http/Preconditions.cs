using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Serverless.Api.Infrastructure.Http;

/// <summary>
/// Optimistic concurrency over HTTP: a resource's ETag is its stored version (<c>"3"</c>), and a PATCH or DELETE
/// says which version it changes with <c>If-Match</c>. The version check itself happens in the repository's
/// conditional write, so two writers racing with the same ETag cannot both win.
/// </summary>
public static class Preconditions
{
    /// <summary>A strong ETag: If-Match compares strongly (RFC 9110 section 13.1.1), and our versions are exact.</summary>
    public static string ETag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    public static void SetETag(this HttpResponse response, long version)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ETag = ETag(version);
    }

    /// <summary>
    /// The version the client expects to change, or null for <c>If-Match: *</c> (any current version; allowed
    /// unconditional writes when <see cref="ApiOptions.RequireIfMatch"/> is off and the header is absent).
    /// </summary>
    /// <exception cref="ApiProblemException">428 when required and absent; 412 when it names no version we could hold.</exception>
    public static long? ExpectedVersion(HttpRequest request, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var header = request.Headers.IfMatch;
        if (header.Count == 0 || string.IsNullOrWhiteSpace(header.ToString()))
        {
            if (options.RequireIfMatch)
            {
                throw new ApiProblemException(
                    StatusCodes.Status428PreconditionRequired,
                    "Precondition required",
                    "Send If-Match with the ETag of the version you are changing (from a GET), so concurrent changes are not lost.",
                    "If-Match");
            }

            return null;
        }

        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad request", "If-Match must be an entity tag such as \"3\", or *.", "If-Match");
        }

        if (tags.Any(t => t.Equals(EntityTagHeaderValue.Any)))
        {
            return null;
        }

        if (tags.Count > 1)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Bad request", "If-Match must carry exactly one entity tag.", "If-Match");
        }

        var tag = tags[0];
        // A weak tag never matches under If-Match's strong comparison; neither does a tag that is not one of our versions.
        if (tag.IsWeak
            || !long.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            || version < 1)
        {
            throw new ApiProblemException(
                StatusCodes.Status412PreconditionFailed,
                "Precondition failed",
                "If-Match does not match the current version. Read it again for the current ETag and retry.");
        }

        return version;
    }
}
