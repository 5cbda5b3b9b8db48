using System.Runtime.InteropServices;

namespace Dha;

/// <summary>
/// Process-wide libtorch settings applied before any work. NNPACK is switched off, as PyTorch's
/// <c>torch.backends.nnpack.set_flags(False)</c> does: on CPUs it does not support, libtorch tries it for
/// inference convolutions, fails, prints "Could not initialize NNPACK! Reason: Unsupported hardware" once per thread
/// and falls back anyway. TorchSharp has no switch for it, so the libtorch entry points are called directly.
/// </summary>
public static class TorchRuntime
{
    private static bool _configured;

    /// <param name="threads">Intra-op threads; 0 = one per core.</param>
    public static void Configure(int threads = 0)
    {
        TorchSharp.torch.set_num_threads(threads > 0 ? threads : Environment.ProcessorCount);
        if (_configured)
        {
            return;
        }
        _configured = true;
        try
        {
            SetUserEnabledNnpack(GlobalContext(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // another libtorch build: its warnings are cosmetic
        }
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
