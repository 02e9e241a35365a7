using Serverless.Data.Privacy;

namespace Serverless.Data.Users;

/// <summary>What sealing one user did.</summary>
public enum SealOutcome
{
    /// <summary>The user was plaintext and is now sealed.</summary>
    Sealed,

    /// <summary>Nothing to do: the user is sealed already, or gone.</summary>
    NothingToDo,

    /// <summary>The user was written by someone else between the read and the write; that write wins (and sealed it).</summary>
    ChangedMeanwhile,

    /// <summary>The user cannot be sealed as stored (the migration reports why); it stays as it is.</summary>
    Failed,
}

/// <summary>Seals one plaintext user in place (<see cref="UserSealing"/>): the lazy half of the encryption migration.</summary>
public sealed class PlaintextUserSealer(TableAccess access)
{
    private readonly BatchWriter _batches = new(access.Client, new BatchWriteOptions { Parallelism = 1 }, access.Time);

    public async Task<SealOutcome> SealAsync(Guid userId, CancellationToken cancellationToken)
    {
        var stored = await UserSealing.ReadAsync(access.Client, access.TableName, userId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return SealOutcome.NothingToDo;
        }

        var keyring = await access.Privacy.KeysAsync(cancellationToken).ConfigureAwait(false);
        var plan = UserSealing.PlanSeal(stored, keyring, access.TableName, access.Now());
        if (plan.Rewrite is not { } rewrite)
        {
            return plan.Failure is null ? SealOutcome.NothingToDo : SealOutcome.Failed;
        }

        if (!await UserSealing.ExecuteAsync(access.Client, access.Transactions, rewrite, cancellationToken).ConfigureAwait(false))
        {
            return SealOutcome.ChangedMeanwhile;
        }

        await UserSealing.DeleteOldItemsAsync(_batches, access.TableName, rewrite.DeleteAfter, cancellationToken).ConfigureAwait(false);

        if (rewrite.NewSeed is { } seed)
        {
            access.Privacy.UserKeys.Remember(userId, seed);
        }

        return SealOutcome.Sealed;
    }
}
