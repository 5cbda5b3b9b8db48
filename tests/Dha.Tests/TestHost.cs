using System.Runtime.CompilerServices;
using Dha.Runtime;

// One test at a time: TorchSharp 0.107 hands libtorch temporary Scalars without keeping them alive (see DhaRuntime),
// so a collection triggered by a test allocating on another thread can free one mid-call in a test using torch
// ("argument alpha must not be a floating point number"). The fuzzers allocate heavily, which made that flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Dha.Tests;

/// <summary>The test assembly is a host like the CLI: it applies the runtime workarounds once, before any test.</summary>
internal static class TestHost
{
    [ModuleInitializer]
    internal static void Configure() => DhaRuntime.Configure();
}
