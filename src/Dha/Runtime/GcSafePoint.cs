using System.Runtime;

namespace Dha.Runtime;

/// <summary>
/// Lets the garbage collector run only where no thread is inside a libtorch call.
/// <para>
/// TorchSharp 0.107 hands native code the handle of a temporary <c>Scalar</c> without keeping the Scalar alive: the
/// <c>0.5</c> of <c>x * 0.5</c>, and the implicit <c>alpha = 1</c> of every <c>a + b</c>. A collection during that
/// call can finalise the Scalar and free it while libtorch still reads it. We saw it as "Expected false to be true"
/// from <c>c10::Scalar::toDouble</c> and as "For integral input tensors, argument alpha must not be a floating point
/// number" in a batch being augmented, mostly with the machine loaded. A collection is triggered by whichever thread
/// allocates, so with the next batch built in the background it can fall inside a call on the other thread.
/// </para>
/// <para>
/// So a run keeps the process in a no-GC region and renews it at safe points: between steps, once no batch is being
/// built (<see cref="NativeWork"/> counts those). Renewing collects there, where every dead Scalar is really dead.
/// If a step ever allocates more than the budget, the runtime collects anyway and the next safe point starts over.
/// </para>
/// <para>
/// The host opts in (<see cref="DhaRuntime.Configure"/>): a library must not put its caller's process into no-GC
/// regions on its own. Until then <see cref="Pass"/> and <see cref="End"/> return at once; <see cref="NativeWork"/>
/// still counts (two interlocked operations per batch), so enabling later never misses a build already running.
/// </para>
/// <para>
/// One training loop per process is assumed (the CLI); loops running side by side (as tests do) still work, with
/// the old, small risk.
/// </para>
/// </summary>
internal static class GcSafePoint
{
    /// <summary>Managed allocation allowed between two safe points (a step allocates a few MiB).</summary>
    public const long Budget = 32L << 20;

    private static readonly Lock Gate = new();
    private static int _nativeWork;
    private static volatile bool _enabled;

    /// <summary>Whether safe points open no-GC regions; set once by the host (tests switch it to check both ways).</summary>
    public static bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Marks libtorch work off the training thread; <see cref="Pass"/> waits until none is left.</summary>
    public static Scope NativeWork()
    {
        Interlocked.Increment(ref _nativeWork);
        return new Scope();
    }

    /// <summary>Called by the training thread between steps: collects and opens a fresh no-GC region.</summary>
    public static void Pass()
    {
        if (!_enabled)
        {
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _nativeWork) > 0)
        {
            spin.SpinOnce();
        }
        lock (Gate)
        {
            LeaveRegion();
            // collect the young generations here, then reserve room without the full blocking collection that
            // TryStartNoGCRegion would otherwise run (a full GC every step costs time and memory)
            GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: false);
            try
            {
                GC.TryStartNoGCRegion(Budget, disallowFullBlockingGC: true);
            }
            catch (InvalidOperationException)
            {
                // another loop in this process opened one meanwhile
            }
        }
    }

    /// <summary>Leaves the no-GC region when the loop ends, so the process collects normally again.</summary>
    public static void End()
    {
        if (!_enabled)
        {
            return;
        }
        lock (Gate)
        {
            LeaveRegion();
        }
    }

    private static void LeaveRegion()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
        {
            try
            {
                GC.EndNoGCRegion();
            }
            catch (InvalidOperationException)
            {
                // the budget ran out and the runtime already left the region
            }
        }
    }

    public readonly struct Scope : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref _nativeWork);
    }
}
