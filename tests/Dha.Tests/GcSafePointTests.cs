using System.Runtime;

namespace Dha.Tests;

/// <summary>The collector runs only at safe points during a run (process-wide state: alone in its collection).</summary>
[Collection("EndToEnd")]
public sealed class GcSafePointTests
{
    [Fact]
    public void Between_two_safe_points_allocation_within_the_budget_triggers_no_collection()
    {
        try
        {
            GcSafePoint.Pass();
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            var before = GC.CollectionCount(0);
            var keep = 0L;
            for (var i = 0; i < 100_000; i++)
            {
                keep += new byte[64].Length; // 9 MB of small objects, a few steps' worth
            }
            Assert.Equal(before, GC.CollectionCount(0));
            Assert.Equal(6_400_000, keep);

            GcSafePoint.Pass(); // a safe point collects
            Assert.True(GC.CollectionCount(0) > before);
        }
        finally
        {
            GcSafePoint.End();
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public async Task A_safe_point_waits_until_no_background_native_work_is_left()
    {
        try
        {
            var work = GcSafePoint.NativeWork();
            var pass = Task.Run(GcSafePoint.Pass);
            await Task.Delay(200);
            Assert.False(pass.IsCompleted);
            work.Dispose();
            await pass.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            GcSafePoint.End();
        }
    }
}
