using System.CommandLine;
using System.Globalization;
using Dha.Evaluation;
using Dha.Export;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha evaluate MODEL</c>: accuracy (top-1 and top-5), per-class accuracy and confusion matrix on a test split.</summary>
internal static class EvaluateCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A model folder (a run's model/ folder) or a run folder." };

    private static readonly Option<string?> DataOption = new("--data", "-d")
    {
        Description = "Dataset whose test split is evaluated (default: the shipped Fashion-MNIST subset).",
    };

    private static readonly Option<bool> JsonOption = JsonOutput.Option();

    public static Command Create()
    {
        var command = new Command("evaluate", "Evaluate a saved model on a dataset's test split.") { ModelArgument, DataOption, JsonOption };
        command.SetAction(parseResult => Run(parseResult.GetValue(ModelArgument)!, parseResult.GetValue(DataOption),
            parseResult.GetValue(JsonOption) ? value => JsonOutput.Write(parseResult, value) : null, Program.CreateConsole(parseResult)));
        return command;
    }

    /// <summary>One class's line of <c>--json</c>.</summary>
    private sealed record ClassResult(int Index, string Name, double Accuracy);

    /// <summary>
    /// The <c>--json</c> document; <paramref name="Top5Accuracy"/> counts the <paramref name="TopK"/> highest logits;
    /// <paramref name="Confusion"/> has a row per true class, a column per predicted one.
    /// </summary>
    private sealed record EvaluationResult(string Model, string Dataset, long TestImages, double Accuracy, double Top5Accuracy, int TopK, double Loss,
        ClassResult[] Classes, long[][] Confusion);

    /// <param name="model">The model or run folder.</param>
    /// <param name="data">The dataset, or null for the shipped one.</param>
    /// <param name="json">Takes the result as a JSON document instead of the text, when given.</param>
    /// <param name="console">Where the text goes.</param>
    internal static int Run(string model, string? data, Action<object>? json, IAnsiConsole console)
    {
        using var bundle = ModelBundle.Load(DhaModel.ModelDirectory(model));
        var manifest = bundle.Manifest;
        using var loaded = ModelTestSplit.Load(manifest, data);
        var test = loaded.Test;
        var evaluation = Evaluator.Evaluate(images => bundle.Network.forward(images).Logits, test, manifest.Mean, manifest.Std);
        if (json is not null)
        {
            json(new EvaluationResult(DhaModel.ModelDirectory(model), loaded.Path, evaluation.Count, evaluation.Accuracy, evaluation.Top5Accuracy, evaluation.TopK, evaluation.Loss,
                [.. Enumerable.Range(0, manifest.Classes).Select(c => new ClassResult(c, manifest.ClassNames[c], evaluation.ClassAccuracy[c]))],
                [.. Enumerable.Range(0, manifest.Classes).Select(r => Enumerable.Range(0, manifest.Classes).Select(c => evaluation.Confusion[r, c]).ToArray())]));
            return 0;
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"accuracy {evaluation.Accuracy:P2} on {evaluation.Count} test images of {loaded.Path} (loss {evaluation.Loss:F4}, top-{evaluation.TopK} {evaluation.Top5Accuracy:P2})"));

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
