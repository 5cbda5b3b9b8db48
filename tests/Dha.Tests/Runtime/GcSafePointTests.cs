using System.Runtime;
using Dha.Runtime;

namespace Dha.Tests.Runtime;

/// <summary>
/// The collector runs only at safe points during a run, once the host opted in (process-wide state: alone in its
/// collection; each test sets <see cref="GcSafePoint.Enabled"/> itself and puts it back).
/// </summary>
[Collection("EndToEnd")]
public sealed class GcSafePointTests
{
    [Fact]
    public void Between_two_safe_points_allocation_within_the_budget_triggers_no_collection()
    {
        var enabled = GcSafePoint.Enabled;
        GcSafePoint.Enabled = true;
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
            GcSafePoint.Enabled = enabled;
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public async Task A_safe_point_waits_until_no_background_native_work_is_left()
    {
        var enabled = GcSafePoint.Enabled;
        GcSafePoint.Enabled = true;
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
            GcSafePoint.Enabled = enabled;
        }
    }

    [Fact]
    public async Task Until_the_host_opts_in_a_safe_point_neither_waits_nor_leaves_normal_collection()
    {
        var enabled = GcSafePoint.Enabled;
        GcSafePoint.Enabled = false;
        try
        {
            using (GcSafePoint.NativeWork())
            {
                // with background work in flight an enabled safe point would wait: this one returns (or times out)
                await Task.Run(GcSafePoint.Pass).WaitAsync(TimeSpan.FromSeconds(10));
            }
            Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
        finally
        {
            GcSafePoint.Enabled = enabled;
        }
    }
}
