using System.CommandLine;
using System.Globalization;
using Dha.Data;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary>
/// <c>dha datasets inspect [PATH]</c>: shows what dha makes of a dataset before a long run is spent on it: the format
/// it recognised, where it read it from, how many images per split and per class, the image size and why it was
/// chosen, how the test split was made, and the training set's per-channel mean and std (the normalisation a search
/// would use).
/// </summary>
internal static class DatasetsCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("PATH")
        {
            Description = "A dataset folder, .tar.gz or .csv (idx, CIFAR-10/100 binary or python, a path,label CSV, or images in ROOT/train/<class>/ with test/ or val/, or in ROOT/<class>/), or \"fashion-mnist\" for the installed full set. Default: the shipped data/fashion-mnist-small.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        // An unknown option would otherwise be taken for the optional PATH.
        path.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && result.Tokens[0].Value.StartsWith('-'))
            {
                result.AddError($"unrecognised option '{result.Tokens[0].Value}'");
            }
        });
        var imageSize = new Option<int>("--image-size")
        {
            Description = "Square size image files are resized and centre-cropped to (0 = the images' own size). Fixed-size formats ignore it.",
            DefaultValueFactory = _ => 0,
        };
        var maxImageSize = new Option<int>("--max-image-size")
        {
            Description = "Cap on the size taken from the images when --image-size is 0 (0 = no cap). Default: the default search's cap.",
            DefaultValueFactory = _ => Defaults.Data.MaxImageSize,
        };
        var json = JsonOutput.Option();
        var inspect = new Command("inspect", "Show a dataset's format, path, image counts per split and class, image size and mean/std.");
        inspect.Arguments.Add(path);
        inspect.Options.Add(imageSize);
        inspect.Options.Add(maxImageSize);
        inspect.Options.Add(json);
        inspect.SetAction(parseResult => Inspect(
            parseResult.GetValue(path), parseResult.GetValue(imageSize), parseResult.GetValue(maxImageSize),
            parseResult.GetValue(json) ? value => JsonOutput.Write(parseResult, value) : null, Program.CreateConsole(parseResult)));

        var datasets = new Command("datasets", "Inspect the datasets dha can read.");
        datasets.Subcommands.Add(inspect);
        return datasets;
    }

    /// <summary>The default search: inspect shows the size and split a search with no options would use.</summary>
    private static readonly SearchOptions Defaults = new();

    /// <summary>One class's line of <c>--json</c>.</summary>
    private sealed record ClassCount(int Label, string Name, long Train, long Test);

    /// <summary>The <c>--json</c> document; <paramref name="Split"/> is null when the dataset has its own test split.</summary>
    private sealed record InspectResult(string Format, string Path, int TrainImages, int TestImages, int Classes, int Channels, int Height, int Width,
        string SizeRule, StratifiedSplit? Split, float[] Mean, float[] Std, ClassCount[] PerClass);

    /// <param name="path">The dataset, or null for the shipped one.</param>
    /// <param name="imageSize">--image-size.</param>
    /// <param name="maxImageSize">--max-image-size.</param>
    /// <param name="json">Takes the result as a JSON document instead of the text, when given.</param>
    /// <param name="console">Where the text goes.</param>
    internal static int Inspect(string? path, int imageSize, int maxImageSize, Action<object>? json, IAnsiConsole console)
    {
        using var loaded = DatasetLocator.Load(path, imageSize, maxImageSize, Defaults.Seed, Defaults.Data.TestFraction);
        var train = loaded.Train;
        var test = loaded.Test;
        var (mean, std) = train.ChannelStatistics();
        var trainCounts = train.CountPerClass();
        var testCounts = test.CountPerClass();
        if (json is not null)
        {
            json(new InspectResult(loaded.Format, loaded.Path, train.Count, test.Count, train.ClassCount, train.Channels, train.Height, train.Width,
                loaded.SizeReason, loaded.Split, mean, std,
                [.. Enumerable.Range(0, train.ClassCount).Select(label => new ClassCount(label, train.ClassNames[label], trainCounts[label], testCounts[label]))]));
            return 0;
        }

        console.WriteLine($"Format      {loaded.Format}");
        console.WriteLine($"Path        {loaded.Path}");
        console.WriteLine($"Train       {Count(train.Count)} images");
        console.WriteLine($"Test        {Count(test.Count)} images");
        console.WriteLine($"Classes     {train.ClassCount}");
        console.WriteLine($"Image size  {train.Channels}x{train.Height}x{train.Width} (channels x height x width)");
        console.WriteLine($"Size rule   {loaded.SizeReason}");
        console.WriteLine($"Split       {(loaded.Split is { } split ? FormattableString.Invariant($"seeded stratified: seed {split.Seed}, test fraction {split.TestFraction}") : "the dataset's own test split")}");
        console.WriteLine($"Mean        {Values(mean)} (training set, per channel, pixel/255)");
        console.WriteLine($"Std         {Values(std)}");

        var table = new Table()
            .AddColumn("Label")
            .AddColumn("Class")
            .AddColumn(new TableColumn("Train").RightAligned())
            .AddColumn(new TableColumn("Test").RightAligned());
        for (var label = 0; label < train.ClassCount; label++)
        {
            table.AddRow(
                label.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(train.ClassNames[label]),
                Count(trainCounts[label]),
                Count(testCounts[label]));
        }
        table.AddEmptyRow();
        table.AddRow("", "Total", Count(train.Count), Count(test.Count));
        console.Write(table);
        return 0;
    }

    private static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Values(float[] values) =>
        string.Join(", ", values.Select(value => value.ToString("F4", CultureInfo.InvariantCulture)));
}
