namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// A <c>type</c> for every problem. The framework fills it in only for the statuses it knows (400, 401, 403, 404,
/// 405, 409, 412, 415, 500...): 413, 414, 428, 429, 431 and 503 problems raised here came out without one.
/// Each points at the section of the RFC that defines the status.
/// </summary>
internal static class ProblemTypes
{
    private const string Rfc9110 = "https://tools.ietf.org/html/rfc9110#section-";
    private const string Rfc6585 = "https://tools.ietf.org/html/rfc6585#section-";

    public static string For(int status) => status switch
    {
        400 => Rfc9110 + "15.5.1",
        401 => Rfc9110 + "15.5.2",
        403 => Rfc9110 + "15.5.4",
        404 => Rfc9110 + "15.5.5",
        405 => Rfc9110 + "15.5.6",
        406 => Rfc9110 + "15.5.7",
        408 => Rfc9110 + "15.5.9",
        409 => Rfc9110 + "15.5.10",
        410 => Rfc9110 + "15.5.11",
        411 => Rfc9110 + "15.5.12",
        412 => Rfc9110 + "15.5.13",
        413 => Rfc9110 + "15.5.14",
        414 => Rfc9110 + "15.5.15",
        415 => Rfc9110 + "15.5.16",
        422 => Rfc9110 + "15.5.21",
        428 => Rfc6585 + "3",
        429 => Rfc6585 + "4",
        431 => Rfc6585 + "5",
        500 => Rfc9110 + "15.6.1",
        501 => Rfc9110 + "15.6.2",
        502 => Rfc9110 + "15.6.3",
        503 => Rfc9110 + "15.6.4",
        504 => Rfc9110 + "15.6.5",
        >= 500 => Rfc9110 + "15.6",
        // RFC 9457 section 4.2.1: a problem with no more specific type than its status.
        _ => "about:blank",
    };
}
