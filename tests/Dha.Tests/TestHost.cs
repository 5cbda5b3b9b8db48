using System.Runtime.CompilerServices;
using Dha.Runtime;

namespace Dha.Tests;

/// <summary>The test assembly is a host like the CLI: it applies the runtime workarounds once, before any test.</summary>
internal static class TestHost
{
    [ModuleInitializer]
    internal static void Configure() => DhaRuntime.Configure();
}
