namespace Serverless.Data.Writing;

/// <summary>
/// Conditional writes in bulk: PartiQL statements sent up to 25 a BatchExecuteStatement call. Unlike BatchWriteItem,
/// each statement carries its own condition (in its WHERE) and is answered on its own; unlike a transaction, one
/// refusal does not cancel the others and nothing is charged twice. So this is for many independent guarded writes (the
/// denormalization's copies of a user onto each order), where a refused statement is an answer, not an error.
/// <para>
/// A statement DynamoDB could not run for the moment (throttling, an internal error, a conflict with a transaction) is
/// sent again alone with the others still pending, under the one backoff policy (<see cref="Retries"/>); so is a call
/// that failed whole with a transient error (its statements ran not at all, or, if only the answer was lost, their
/// conditions make a second run a refusal). Values travel as parameters only: a statement's text is the schema's names.
/// </para>
/// </summary>
public sealed class StatementBatchWriter
{
    /// <summary>DynamoDB's limit of statements in one BatchExecuteStatement.</summary>
    public const int MaxBatchSize = 25;

    private readonly IAmazonDynamoDB _client;
    private readonly RetryOptions _retry;
    private readonly UndoneRetryPolicy _untilDone;

    public StatementBatchWriter(IAmazonDynamoDB client, RetryOptions retry, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(retry);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _retry = retry;
        _untilDone = Retries.WhileLeftUndone(retry, timeProvider);
    }

    /// <summary>Runs up to 25 statements, each on a different item, and says how each went, in their order.</summary>
    /// <exception cref="ArgumentException">More than 25 statements.</exception>
    /// <exception cref="StatementBatchException">
    /// A statement was refused for a reason other than its condition (a validation error, access denied, ...), or was
    /// still throttled after every attempt. The others of the batch are applied or refused as they would be alone.
    /// </exception>
    public async Task<IReadOnlyList<StatementOutcome>> ExecuteAsync(IReadOnlyList<WriteStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        if (statements.Count > MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {MaxBatchSize} statements; got {statements.Count}.", nameof(statements));
        }

        var outcomes = new StatementOutcome?[statements.Count];
        List<int> pending = [.. Enumerable.Range(0, statements.Count)];
        (int Position, string Code)? refused = null;
        var left = pending.Count == 0 ? 0 : await _untilDone.ExecuteAsync(
            async token =>
            {
                BatchExecuteStatementResponse response;
                try
                {
                    response = await _client.BatchExecuteStatementAsync(
                        new BatchExecuteStatementRequest
                        {
                            Statements = [.. pending.Select(i => new BatchStatementRequest { Statement = statements[i].Text, Parameters = [.. statements[i].Parameters] })],
                        },
                        token).ConfigureAwait(false);
                }
                catch (Exception e) when (Retries.IsTransient(e) && !token.IsCancellationRequested)
                {
                    // The call failed whole: every statement of it is still to do.
                    return pending.Count;
                }

                var answers = response.Responses ?? [];
                if (answers.Count != pending.Count)
                {
                    throw new StatementBatchException($"DynamoDB answered {answers.Count} of {pending.Count} statements.");
                }

                var retry = new List<int>();
                for (var n = 0; n < pending.Count; n++)
                {
                    var position = pending[n];
                    switch (answers[n].Error?.Code?.Value)
                    {
                        case null:
                            outcomes[position] = StatementOutcome.Applied;
                            break;
                        case "ConditionalCheckFailed":
                            outcomes[position] = StatementOutcome.ConditionFailed;
                            break;
                        case { } code when IsRetriable(code):
                            retry.Add(position);
                            break;
                        case { } code:
                            // The first refusal is reported; the message stays out (it may quote the statement's values).
                            refused ??= (position, code);
                            break;
                    }
                }

                pending = retry;
                return pending.Count;
            },
            cancellationToken).ConfigureAwait(false);

        if (refused is { } r)
        {
            throw new StatementBatchException($"Statement {r.Position} of the batch was refused: {r.Code}.");
        }

        if (left > 0)
        {
            throw new StatementBatchException(
                $"{left} statement(s) were still throttled after {_retry.MaxAttempts} attempts; the table is throttling. Retry later or lower the parallelism.");
        }

        return [.. outcomes.Select(o => o!.Value)];
    }

    /// <summary>The per-statement errors of the moment: the same statement may well succeed a little later.</summary>
    internal static bool IsRetriable(string code) =>
        code is "ThrottlingError" or "ProvisionedThroughputExceeded" or "RequestLimitExceeded" or "InternalServerError" or "TransactionConflict";
}

/// <summary>One PartiQL statement: its text (names only) and the values for its <c>?</c> placeholders, in order.</summary>
public sealed record WriteStatement(string Text, IReadOnlyList<AttributeValue> Parameters);

public enum StatementOutcome
{
    /// <summary>The statement's condition held and its write is stored.</summary>
    Applied,

    /// <summary>The statement's condition did not hold; nothing was written.</summary>
    ConditionFailed,
}

/// <summary>A statement of a batch could not be run (refused for a reason other than its condition, or throttled beyond the retry budget).</summary>
public sealed class StatementBatchException(string message) : Exception(message);
