using Dha.Tests.Search;

namespace Dha.Tests.Cli;

/// <summary>
/// One tiny run made by <c>dha search</c> in-process, shared by the tests of a class: 256 training and 100 test images
/// of the shipped Fashion-MNIST (in a folder named fashion-mnist-…, so it keeps its class names), C=4, 3 cells, one search and one training epoch (a few seconds). The search runs
/// from its own working directory with relative <c>--data</c> and <c>--out</c>; the tests use the run from others.
/// </summary>
public sealed class TrainedRunFixture : IDisposable
{
    internal const int TrainImages = 256;
    internal const int TestImages = 100;

    private readonly TempFolder _folder = new();

    public TrainedRunFixture()
    {
        DataDirectory = TinyData.Create(Path.Combine(_folder.Path, "fashion-mnist-tiny"), TrainImages, TestImages);
        SearchDirectory = Directory.CreateDirectory(Path.Combine(_folder.Path, "searched-from")).FullName;
        Search = DhaTool.RunIn(SearchDirectory, [.. Arguments("run"), "--data", "../fashion-mnist-tiny"]);
        RunDirectory = Path.Combine(SearchDirectory, "run");
    }

    internal string DataDirectory { get; }

    /// <summary>The working directory the search ran from.</summary>
    internal string SearchDirectory { get; }

    internal string RunDirectory { get; }

    internal string ModelDirectory => Path.Combine(RunDirectory, "model");

    internal CliResult Search { get; }

    /// <summary>A fresh empty folder under the fixture's temporary folder, to run commands from.</summary>
    internal string NewFolder() => Directory.CreateDirectory(Path.Combine(_folder.Path, Guid.NewGuid().ToString("N"))).FullName;

    internal static string[] Arguments(string output) => ["search", "--out", output, "--quiet", .. TinyRuns.AsSetOptions("train.search_epochs=1")];

    public void Dispose() => _folder.Dispose();
}
