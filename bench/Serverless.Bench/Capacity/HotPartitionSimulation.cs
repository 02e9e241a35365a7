using Serverless.Data.Table;

namespace Serverless.Bench.Capacity;

/// <summary>
/// The hottest partition of the model, simulated: at each load multiple, one second after another, the user-item
/// writes of that second (random user ids, as sign-ups and updates come) are spread over the users-by-status shards by
/// the function the data layer uses (<see cref="CreatedDatePartitions.ShardOf"/>), with the shard count the model
/// gives; the busiest shard's write units in any second are held against the partition limit.
/// </summary>
public sealed class HotPartitionSimulation
{
    private readonly Dictionary<int, Outcome> _outcomes = [];

    public int Seconds { get; private init; }

    public Outcome At(int multiple) => _outcomes[multiple];

    public static HotPartitionSimulation Run(CapacityModel model, int seconds)
    {
        var simulation = new HotPartitionSimulation { Seconds = seconds };
        var random = new Random(17);
        Span<byte> bytes = stackalloc byte[16];
        foreach (var scale in model.Scales)
        {
            var perSecond = (int)Math.Round(scale.UserItemWritesPerSecond);
            var counts = new int[scale.StatusShards];
            var busiest = 0;
            for (var second = 0; second < seconds; second++)
            {
                Array.Clear(counts);
                for (var i = 0; i < perSecond; i++)
                {
                    random.NextBytes(bytes);
                    counts[CreatedDatePartitions.ShardOf(new Guid(bytes), scale.StatusShards)]++;
                }

                busiest = Math.Max(busiest, counts.Max());
            }

            simulation._outcomes[scale.Multiple] = new Outcome(scale.StatusShards, perSecond, busiest * model.UserIndexEntryUnits, perSecond * model.UserIndexEntryUnits);
        }

        return simulation;
    }

    /// <param name="UnshardedUnits">What one partition would take without shards.</param>
    public sealed record Outcome(int Shards, int WritesPerSecond, double BusiestShardUnits, double UnshardedUnits);
}
