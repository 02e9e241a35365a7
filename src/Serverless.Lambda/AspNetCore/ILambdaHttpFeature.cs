using Microsoft.AspNetCore.Http;
using Serverless.Lambda.Events;
using Serverless.Lambda.Runtime;

namespace Serverless.Lambda.AspNetCore;

/// <summary>
/// The Lambda side of a request served by the adapter: the raw event, its typed form and the invocation context.
/// Absent (null from <c>HttpContext.Features.Get</c>) when the app runs on Kestrel.
/// </summary>
public interface ILambdaHttpFeature
{
    LambdaHttpPayloadKind Kind { get; }

    /// <summary>The event exactly as Lambda delivered it (UTF-8 JSON).</summary>
    ReadOnlyMemory<byte> RawEvent { get; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="LambdaHttpPayloadKind.HttpApiV2"/>.</summary>
    HttpApiRequest? HttpApiRequest { get; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="LambdaHttpPayloadKind.RestApiV1"/>.</summary>
    RestApiRequest? RestApiRequest { get; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="LambdaHttpPayloadKind.ApplicationLoadBalancer"/>.</summary>
    AlbRequest? AlbRequest { get; }

    ILambdaContext LambdaContext { get; }
}

public static class LambdaHttpContextExtensions
{
    public static ILambdaHttpFeature? GetLambdaFeature(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<ILambdaHttpFeature>();
    }
}
