namespace Serverless.Lambda.Runtime;

/// <summary>
/// The handler boundary: what Lambda's bootstrap loop, a local <c>invoke</c> and a local event-source emulator
/// all call. Raw event bytes in (UTF-8 JSON as the service sent it), raw response bytes out; serialization is the
/// function's business so every caller exercises exactly the code Lambda runs.
/// A function that owns resources (a web host) also implements <see cref="IAsyncDisposable"/>.
/// </summary>
public interface ILambdaFunction
{
    ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);
}

public delegate ValueTask<ReadOnlyMemory<byte>> LambdaHandler(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken);

public delegate ValueTask<TResponse> LambdaHandler<in TEvent, TResponse>(TEvent input, ILambdaContext context, CancellationToken cancellationToken);
