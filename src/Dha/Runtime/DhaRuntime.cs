namespace Dha.Runtime;

/// <summary>
/// The process-wide workarounds, which a host applies once at start-up: the <c>dha</c> tool and the benchmarks do;
/// an application embedding the library may. Of the library, only <see cref="ImageClassifierSearch"/> calls it, as a search is not safe without them; loading a model and predicting leave the host's allocator and
/// collector alone.
/// <list type="bullet">
/// <item>GC safe points (<see cref="GcSafePoint"/>): TorchSharp 0.107 hands libtorch temporary Scalar handles
/// without keeping them alive (dotnet/TorchSharp#1434, #1496); a collection during such a call can free the Scalar
/// while libtorch reads it. A training loop then collects only between steps.</item>
/// <item>Native tuning (<see cref="NativeTuning"/>): glibc keeps freed tensor buffers instead of returning them to
/// the kernel; NNPACK is switched off.</item>
/// </list>
/// The intra-op thread count is not set here: a search run sets it from its options when it starts.
/// </summary>
public static class DhaRuntime
{
    private static int _configured;

    /// <summary>Applies both workarounds; later calls do nothing.</summary>
    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }
        NativeTuning.Apply();
        GcSafePoint.Enabled = true;
    }
}
