using System.CommandLine;
using System.Globalization;
using Dha.Evaluation;
using Dha.Export;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha evaluate MODEL</c>: accuracy, per-class accuracy and confusion matrix on a test split.</summary>
internal static class EvaluateCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A model folder (a run's model/ folder) or a run folder." };

    private static readonly Option<string?> DataOption = new("--data", "-d")
    {
        Description = "Dataset whose test split is evaluated (default: the shipped Fashion-MNIST subset).",
    };

    public static Command Create()
    {
        var command = new Command("evaluate", "Evaluate a saved model on a dataset's test split.") { ModelArgument, DataOption };
        command.SetAction(parseResult => Run(parseResult.GetValue(ModelArgument)!, parseResult.GetValue(DataOption), Program.CreateConsole(parseResult)));
        return command;
    }

    internal static int Run(string model, string? data, IAnsiConsole console)
    {
        using var bundle = ModelBundle.Load(ModelPaths.Resolve(model));
        var manifest = bundle.Manifest;
        using var loaded = ModelTestSplit.Load(manifest, data);
        var test = loaded.Test;
        var evaluation = Evaluator.Evaluate(images => bundle.Network.forward(images).Logits, test, manifest.Mean, manifest.Std);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {evaluation.Accuracy:P2} on {evaluation.Count} test images of {loaded.Path} (loss {evaluation.Loss:F4})"));

        var perClass = new Table().AddColumn("class").AddColumn(new TableColumn("accuracy").RightAligned());
        for (var c = 0; c < manifest.Classes; c++)
        {
            perClass.AddRow(Markup.Escape(manifest.ClassNames[c]), evaluation.ClassAccuracy[c].ToString("P2", CultureInfo.InvariantCulture));
        }
        console.Write(perClass);

        console.WriteLine("confusion matrix (rows: true class, columns: predicted)");
        var confusion = new Table().AddColumn("");
        for (var c = 0; c < manifest.Classes; c++)
        {
            confusion.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        }
        for (var r = 0; r < manifest.Classes; r++)
        {
            var cells = new List<string> { $"{r} {Markup.Escape(manifest.ClassNames[r])}" };
            for (var c = 0; c < manifest.Classes; c++)
            {
                cells.Add(evaluation.Confusion[r, c].ToString(CultureInfo.InvariantCulture));
            }
            confusion.AddRow([.. cells]);
        }
        console.Write(confusion);
        return 0;
    }
}

/// <summary>Accepts a model folder or the run folder that holds it.</summary>
internal static class ModelPaths
{
    public static string Resolve(string path) =>
        Directory.Exists(Path.Combine(path, SearchRun.ModelFolder)) ? Path.Combine(path, SearchRun.ModelFolder) : path;
}
