using System.Globalization;
using System.Text.Json.Nodes;
using Dha.Tests.Search;

namespace Dha.Tests.Cli;

/// <summary>
/// A user's own image folder with no split of its own (<c>root/&lt;class&gt;/*.png</c>, 28x28 images): the run trains
/// at the images' own size, splits per class with the run's seed, records both, and <c>dha evaluate</c> on the same
/// folder scores the same test images the run scored.
/// </summary>
[Collection("EndToEnd")]
[EndToEnd]
public sealed class ImageFolderRunTests
{
    private const int ImagesPerClass = 60;
    private const int Classes = 3;

    [Fact]
    public void An_unsplit_folder_trains_at_its_own_size_and_evaluate_scores_the_runs_test_split()
    {
        using var folder = new TempFolder();
        var idx = TinyData.Create(Path.Combine(folder.Path, "idx"), Classes * ImagesPerClass * 4, 16);
        var root = WriteClassFolders(idx, Path.Combine(folder.Path, "my-images"));
        var run = Path.Combine(folder.Path, "run");

        var search = DhaTool.Run(["search", "--data", root, "--out", run, "--quiet", "--seed", "7", .. TinyRuns.AsSetOptions("train.search_epochs=1")]);

        Assert.True(search.ExitCode == 0, search.Error);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "summary.json")))!;
        Assert.Equal(28, (int)summary["image_size"]!);
        Assert.Equal("28x28: every image is 28x28", (string)summary["image_size_reason"]!);
        Assert.Equal("0.2 of each class, seed 7", (string)summary["test_split"]!);
        Assert.Equal(Classes * (int)Math.Round(ImagesPerClass * 0.2), (int)summary["test_images"]!);

        var evaluate = DhaTool.Run("evaluate", run, "--data", root);

        Assert.True(evaluate.ExitCode == 0, evaluate.Error);
        var accuracy = (double)summary["final_test_accuracy"]!;
        Assert.StartsWith(
            string.Create(CultureInfo.InvariantCulture, $"accuracy {accuracy:P2} on {(int)summary["test_images"]!} test images"),
            evaluate.OutputLines[0]);
    }

    /// <summary>The first <see cref="ImagesPerClass"/> images of each of the first classes, as PNGs in class folders.</summary>
    private static string WriteClassFolders(string idx, string root)
    {
        var labels = IdxFiles.Labels(idx, "train-labels-idx1-ubyte.gz");
        var written = new int[Classes];
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label >= Classes || written[label] == ImagesPerClass)
            {
                continue;
            }
            var classFolder = Directory.CreateDirectory(Path.Combine(root, $"class-{label}")).FullName;
            IdxFiles.WritePng(Path.Combine(classFolder, $"{i:D5}.png"), IdxFiles.Image(idx, "train-images-idx3-ubyte.gz", i));
            written[label]++;
        }
        Assert.All(written, count => Assert.Equal(ImagesPerClass, count));
        return root;
    }
}
