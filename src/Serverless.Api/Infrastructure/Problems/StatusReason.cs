namespace Serverless.Api.Infrastructure.Problems;

/// <summary>
/// Why a component refused the request with a bare status (a challenge, a forbid), left on the request for the
/// status code pages to put in the problem's detail. Never carries request values: no token, no PII.
/// </summary>
internal sealed record StatusReason(string Detail)
{
    public static void Set(HttpContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Features.Set(new StatusReason(detail));
    }

    public static string? Of(HttpContext context) => context.Features.Get<StatusReason>()?.Detail;
}
