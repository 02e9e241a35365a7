using Microsoft.AspNetCore.Mvc;

namespace Serverless.Api.Users;

/// <summary>
/// Which users <c>GET /users</c> lists: exactly one of <c>?email=</c>, <c>?status=</c>, <c>?city=</c> or
/// <c>?createdWithinDays=</c> (which may be combined with <c>?status=</c>), bound as one <c>[AsParameters]</c> argument.
/// All are taken as text and checked by the handler, so a bad one is a 400 naming it.
/// </summary>
public readonly record struct UserSelector
{
    [FromQuery(Name = "email")]
    public string? Email { get; init; }

    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    [FromQuery(Name = "city")]
    public string? City { get; init; }

    [FromQuery(Name = "createdWithinDays")]
    public string? CreatedWithinDays { get; init; }
}
