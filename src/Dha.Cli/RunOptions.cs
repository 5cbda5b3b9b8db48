using System.CommandLine;
using Dha.Search;

namespace Dha.Cli;

/// <summary>The options of the commands that train (<c>search</c>, <c>train</c>): each command gets its own instances.</summary>
internal static class RunOptions
{
    public static Option<string> Preset(string what) => new("--preset", "-p")
    {
        Description = $"Starting values{what}: {string.Join(", ", Presets.Names)}.",
        DefaultValueFactory = _ => "small",
    };

    public static Option<string?> Data() => new("--data", "-d")
    {
        Description = "Dataset: a folder or archive (idx, CIFAR binary, image folders) or a name (fashion-mnist). Default: the shipped Fashion-MNIST subset.",
    };

    /// <param name="folder">The default folder's name under runs/.</param>
    public static Option<string?> Out(string folder) => new("--out", "-o") { Description = $"Run folder (default: a new runs/{folder} folder)." };

    public static Option<int?> Seed() => new("--seed") { Description = "Random seed (default: the preset's)." };

    public static Option<string?> Config() => new("--config", "-c") { Description = "JSON config file applied over the preset." };

    public static Option<string[]> Set() => new("--set")
    {
        Description = "Override any config value, e.g. --set train.search_epochs=2 --set network.channels=16.",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string?> Resume() => new("--resume") { Description = "Continue the run in this folder from its last checkpoint." };

    public static Option<bool> Verbose() => new("--verbose", "-v")
    {
        Description = "Also print, per epoch, the architecture, the share of step time spent waiting for data, and each architecture recovery.",
    };

    public static Option<bool> Quiet() => new("--quiet", "-q") { Description = "Print only the result (for scripts)." };
}
