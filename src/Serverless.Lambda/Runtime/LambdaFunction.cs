using System.Text.Json.Serialization.Metadata;
using Serverless.Lambda.Events;

namespace Serverless.Lambda.Runtime;

public static class LambdaFunction
{
    public static ILambdaFunction Create(LambdaHandler handler) => new DelegateFunction(handler);

    /// <summary>A typed function: the event is read with <paramref name="eventType"/>, the result written with <paramref name="responseType"/>.</summary>
    public static ILambdaFunction Create<TEvent, TResponse>(
        JsonTypeInfo<TEvent> eventType, JsonTypeInfo<TResponse> responseType, LambdaHandler<TEvent, TResponse> handler) =>
        new TypedFunction<TEvent, TResponse>(eventType, responseType, handler);

    private sealed class DelegateFunction(LambdaHandler handler) : ILambdaFunction
    {
        public ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken) =>
            handler(payload, context, cancellationToken);
    }

    private sealed class TypedFunction<TEvent, TResponse>(
        JsonTypeInfo<TEvent> eventType, JsonTypeInfo<TResponse> responseType, LambdaHandler<TEvent, TResponse> handler) : ILambdaFunction
    {
        public async ValueTask<ReadOnlyMemory<byte>> InvokeAsync(ReadOnlyMemory<byte> payload, ILambdaContext context, CancellationToken cancellationToken)
        {
            var input = LambdaEventSerializer.Deserialize(payload.Span, eventType);
            var response = await handler(input, context, cancellationToken).ConfigureAwait(false);
            return LambdaEventSerializer.Serialize(response, responseType);
        }
    }
}
