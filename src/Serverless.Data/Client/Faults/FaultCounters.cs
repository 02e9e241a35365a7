namespace Serverless.Data.Client.Faults;

/// <summary>What a <see cref="FaultInjectingHandler"/> saw and did: requests it could have faulted, and faults per class.</summary>
public sealed class FaultCounters
{
    private readonly long[] _injected = new long[Enum.GetValues<FaultClass>().Length];
    private long _eligible;

    /// <summary>Requests of the chosen operations that passed through (faulted or not).</summary>
    public long Eligible => Interlocked.Read(ref _eligible);

    public long Injected(FaultClass fault) => Interlocked.Read(ref _injected[(int)fault]);

    public long TotalInjected => Enum.GetValues<FaultClass>().Sum(Injected);

    internal void CountEligible() => Interlocked.Increment(ref _eligible);

    internal void CountInjected(FaultClass fault) => Interlocked.Increment(ref _injected[(int)fault]);
}
