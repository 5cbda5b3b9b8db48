using System.Runtime.InteropServices;

namespace Dha.Runtime;

/// <summary>
/// Process-wide native settings, applied once by <see cref="DhaRuntime.Configure"/> before any work.
/// <para>
/// glibc's allocator is told to keep freed memory instead of handing every large block back to the kernel: by
/// default a tensor buffer above 128 KiB is a fresh mmap, so each training step page-faults its activations in
/// again. On our machines a page fault is expensive enough that a 1×1 convolution on a 64×8×28×28 batch took 25 ms
/// instead of 1 ms. Keeping the blocks makes memory plateau at the peak working set (it stays flat over a run).
/// </para>
/// <para>
/// NNPACK is switched off, as PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does: on CPUs it does not support, libtorch tries it for
/// inference convolutions, fails, prints "Could not initialize NNPACK! Reason: Unsupported hardware" once per thread
/// and falls back anyway. TorchSharp has no switch for it, so the libtorch entry points are called directly.
/// </para>
/// </summary>
internal static class NativeTuning
{
    public static void Apply()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // the largest mmap threshold glibc accepts on 64-bit systems is 32 MiB
                _ = MallocOption(MmapThreshold, 32 << 20);
                _ = MallocOption(TrimThreshold, 1 << 30);
                _ = MallocOption(TopPad, 64 << 20);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // not glibc: nothing to tune
            }
        }
        // loads libtorch the way TorchSharp does, so the entry points below resolve (before any tensor exists)
        TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
        try
        {
            SetUserEnabledNnpack(GlobalContext(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // another libtorch build: its warnings are cosmetic
        }
    }

    private const int TrimThreshold = -1;
    private const int TopPad = -2;
    private const int MmapThreshold = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallocOption(int option, int value);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
