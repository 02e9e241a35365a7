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
            TEvent input;
            try
            {
                input = LambdaEventSerializer.Deserialize(payload.Span, eventType);
            }
            catch (System.Text.Json.JsonException exception)
            {
                // The runtime's own failure, typed as Lambda's runtimes type it; the message names the JSON path, no value.
                throw new LambdaRuntimeException(
                    "Runtime.UnmarshalError",
                    $"The event could not be read as {typeof(TEvent).Name}{(exception.Path is { Length: > 0 } path ? $" (at {path})" : string.Empty)}.");
            }

            var response = await handler(input, context, cancellationToken).ConfigureAwait(false);
            try
            {
                return LambdaEventSerializer.Serialize(response, responseType);
            }
            catch (Exception exception) when (exception is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new LambdaRuntimeException("Runtime.MarshalError", $"The function's {typeof(TResponse).Name} could not be written as JSON.");
            }
        }
    }
}
