using Dha.Data;
using Dha.Search;
using Dha.Tests.Cli;
using Dha.Tests.Search;

namespace Dha.Tests.Api;

/// <summary>
/// The one-call API: a search on images in memory is the same run as the search of the same images read from disk
/// (same metrics, same test accuracy), reports every step, and leaves a model that <see cref="DhaModel"/> loads,
/// predicts and evaluates as the run did.
/// </summary>
[EndToEnd]
public sealed class ImageClassifierSearchTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task An_in_memory_search_is_the_run_from_disk_and_its_model_works()
    {
        var data = TinyRuns.Data(_folder, train: 256, test: 100);
        var options = TinyRuns.Options(data) with { Data = TinyRuns.Options(data).Data with { Path = null } };
        options = options with { Train = options.Train with { SearchEpochs = 1 } };

        var fromDisk = await ImageClassifierSearch.RunAsync(data, options, Path.Combine(_folder.Path, "disk"));

        using var loaded = DatasetLocator.Load(data);
        using var train = Copy(loaded.Train);
        using var test = Copy(loaded.Test);
        var progress = new Recorder();
        var inMemory = await ImageClassifierSearch.RunAsync(train, test, "tiny", options, Path.Combine(_folder.Path, "memory"), progress);

        Assert.Equal(TinyRuns.MetricsWithoutTime(fromDisk.RunDirectory).Select(WithoutDataset), TinyRuns.MetricsWithoutTime(inMemory.RunDirectory).Select(WithoutDataset));
        Assert.Equal(fromDisk.TestAccuracy, inMemory.TestAccuracy);

        // one report per step, in order, ending at the whole run
        var stepsPerEpoch = progress.Reports[0].StepsPerEpoch;
        Assert.Equal(inMemory.Epochs * stepsPerEpoch, progress.Reports.Count);
        Assert.Equal(progress.Reports.Select(r => r.Fraction).Order(), progress.Reports.Select(r => r.Fraction));
        Assert.Equal(1.0, progress.Reports[^1].Fraction, 12);

        // the model the run saved: loaded from the run folder or the model folder alike, evaluated as the run did
        using var model = DhaModel.Load(inMemory.RunDirectory);
        Assert.Equal(inMemory.ModelDirectory, model.Directory);
        Assert.Equal(inMemory.TestAccuracy, model.Evaluate(test).Accuracy, 12);
        Assert.Equal(inMemory.TestAccuracy, model.Evaluate(data).Accuracy, 12);

        // a stream and a file of the same image get the same answer
        var png = Path.Combine(_folder.Path, "shirt.png");
        IdxFiles.WritePng(png, IdxFiles.Image(data, "t10k-images-idx3-ubyte.gz", 3));
        using var stream = File.OpenRead(png);
        var fromStream = model.Predict(stream, "shirt");
        var fromFile = model.Predict(png);
        Assert.Equal(fromFile.ClassIndex, fromStream.ClassIndex);
        Assert.Equal(fromFile.Probability, fromStream.Probability, 12);
        Assert.Equal("shirt", fromStream.File);

        // the same image as decoded pixels (the PNG is grey, R = G = B, at the model's size: the bytes come back as they are)
        var fromPixels = model.PredictPixels(IdxFiles.Image(data, "t10k-images-idx3-ubyte.gz", 3), "pixels");
        Assert.Equal(fromFile.ClassIndex, fromPixels.ClassIndex);
        Assert.Equal(fromFile.Probability, fromPixels.Probability, 12);
        var wrongSize = Assert.Throws<InvalidInputException>(() => model.PredictPixels(new byte[27 * 28], "short"));
        Assert.StartsWith("short: 756 pixels, the model takes 1x28x28", wrongSize.Message, StringComparison.Ordinal);

        // the folder of an in-memory run holds no images: resuming it is refused, not run on other data
        using var cancel = new CancellationTokenSource();
        var stopped = Path.Combine(_folder.Path, "stopped");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ImageClassifierSearch.RunAsync(train, test, "tiny", options, stopped, new CancelAt(3, cancel), cancel.Token));
        var resume = Assert.Throws<InvalidInputException>(() => SearchRun.Resume(stopped, null, CancellationToken.None));
        Assert.Contains("(in memory) tiny", resume.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>The same images and labels through the API's plain arrays, as a caller without TorchSharp would build them.</summary>
    private static ImageDataset Copy(ImageDataset source) => ImageDataset.FromPixels(
        source.Images.data<byte>().ToArray(), source.Channels, source.Height, source.Width,
        [.. source.Labels.data<long>().ToArray().Select(l => (int)l)], source.ClassNames);

    private static string WithoutDataset(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"dataset\":\"[^\"]*\",?", "");

    private sealed class CancelAt(int steps, CancellationTokenSource source) : IProgress<SearchProgress>
    {
        public void Report(SearchProgress value)
        {
            if (value.Step == steps)
            {
                source.Cancel();
            }
        }
    }

    /// <summary>Records reports on the reporting thread (System.Progress would post them later, to the pool).</summary>
    private sealed class Recorder : IProgress<SearchProgress>
    {
        public List<SearchProgress> Reports { get; } = [];

        public void Report(SearchProgress value) => Reports.Add(value);
    }
}
