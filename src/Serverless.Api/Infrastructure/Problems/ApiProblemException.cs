namespace Serverless.Api.Infrastructure.Problems;

/// <summary>An HTTP-level refusal raised by the API itself (not the domain): becomes a problem response with this status.</summary>
public sealed class ApiProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>When set, the problem carries <c>errors</c> naming this field.</summary>
    public string? Field { get; } = field;

    /// <summary>When set, the response carries <c>Retry-After</c> (whole seconds, at least 1).</summary>
    public TimeSpan? RetryAfter { get; init; }
}
