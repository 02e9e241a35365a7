using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;
using Serverless.Api.Infrastructure.Data;
using Serverless.Api.Infrastructure.Idempotency;
using Serverless.Api.Infrastructure.Json;
using Serverless.Api.Infrastructure.Passwords;

namespace Serverless.Api.Infrastructure;

/// <summary>The API's cross-cutting services and middleware, in the order a request meets them.</summary>
internal static class ApiComposition
{
    public static IServiceCollection AddApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.Section)
            .Validate(o => o.MaxRequestBodyBytes > 0, "Api:MaxRequestBodyBytes must be positive.")
            .Validate(o => o.MaxRequestTargetBytes is > 0 and <= int.MaxValue / 2, "Api:MaxRequestTargetBytes must be positive.")
            .Validate(o => o.MaxRequestHeadersBytes is > 0 and <= int.MaxValue / 2, "Api:MaxRequestHeadersBytes must be positive.")
            .ValidateOnStart();

        // Kestrel refuses an over-long request line or header block itself, with a bare status and no body. Its limits
        // are kept above the API's own, which answer first with a problem; only a request past twice those still gets
        // Kestrel's bare answer. (Unused on Lambda, where the middleware's limits are the only ones.)
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ApiOptions>>((kestrel, api) =>
        {
            kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, 2 * api.Value.MaxRequestTargetBytes);
            kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(kestrel.Limits.MaxRequestHeadersTotalSize, 2 * api.Value.MaxRequestHeadersBytes);
        });
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddApiProblems();
        services.AddApiAuth();
        services.AddApiOpenApi();
        services.AddApiData();
        services.AddPasswordHashing();
        services.AddApiIdempotency();
        services.AddSingleton(TimeProvider.System);
        return services;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        // Outside everything: the access line and the metrics see the final status of every request, problems included.
        if (app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.RequestTelemetry)
        {
            app.UseMiddleware<RequestTelemetryMiddleware>();
        }

        // Outermost but for that, so every failure below (binding, auth, handlers, unknown routes) leaves as a problem response.
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        app.UseMiddleware<RequestLimitsMiddleware>();
        if (!app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.UsesHostPrincipal)
        {
            // Told to validate bearer tokens itself, the app ignores whatever caller a host (the Lambda adapter) put on
            // the request, even where no policy asks for one.
            app.Use((context, next) =>
            {
                context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity());
                return next(context);
            });
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<RequestTextMiddleware>();
        // After authorization (a refused request claims no record) and the text checks, before the handlers it guards.
        app.UseMiddleware<IdempotencyMiddleware>();
        return app;
    }

    /// <summary>
    /// The OpenAPI document, for callers with the read scope (as the template's route asks) and to anyone in the
    /// Development environment; the reference page only off Lambda.
    /// </summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        var document = app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            document.AllowAnonymous();
        }
        else
        {
            // The route's rule and policy, as its template route asks (data.read): the document describes every route
            // and body, so only a caller that may read the data gets it.
            document.RequireAccess(Access.ServiceRead);
        }

        var api = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
        var auth = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (api.ServeApiReference ?? !auth.UsesHostPrincipal)
        {
            app.MapScalarApiReference().AllowAnonymous();
        }

        return app;
    }
}
