using Serverless.Local.Ttl;
using Xunit;

namespace Serverless.Local.Tests.Ttl;

public sealed class SweepPacingTests
{
    [Fact]
    public void A_quick_pass_waits_the_interval()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), TtlSweeper.PauseAfter(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void A_long_pass_over_a_large_table_waits_nine_times_its_length_so_sweeping_takes_a_tenth_of_the_time()
    {
        var pass = TimeSpan.FromSeconds(20);
        var pause = TtlSweeper.PauseAfter(pass, TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(180), pause);
        Assert.Equal(TtlSweeper.MaximumBusyShare, pass / (pass + pause), precision: 9);
    }
}
