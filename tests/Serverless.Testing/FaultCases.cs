using Serverless.Data.Client.Faults;
using Xunit;

namespace Serverless.Testing;

/// <summary>What the tests under faults share: one case per fault class, and a tool run again until it completes.</summary>
public static class FaultCases
{
    /// <summary>Every <see cref="FaultClass"/>, one theory case each.</summary>
    public static TheoryData<FaultClass> All() => [.. Enum.GetValues<FaultClass>()];

    /// <summary>
    /// Runs a resumable tool (seed, a migration, the key rotation) again after each failure, as its user would, until a
    /// run completes (<paramref name="run"/> runs the tool only: no assertions). The test's cancellation ends it at once.
    /// </summary>
    /// <returns>How many runs it took.</returns>
    /// <exception cref="InvalidOperationException">Still failing after <paramref name="mostRuns"/> runs.</exception>
    public static async Task<int> RunUntilDoneAsync(Func<Task> run, int mostRuns)
    {
        ArgumentNullException.ThrowIfNull(run);
        Exception? last = null;
        for (var runs = 1; runs <= mostRuns; runs++)
        {
            try
            {
                await run();
                return runs;
            }
            catch (Exception e) when (e is not OperationCanceledException { CancellationToken.IsCancellationRequested: true })
            {
                // The run stopped on a fault; the next one resumes (or, for seeding, rewrites the same items).
                last = e;
            }
        }

        throw new InvalidOperationException($"Still failing after {mostRuns} runs; the last run failed with {last?.GetType().Name}: {last?.Message}", last);
    }
}
