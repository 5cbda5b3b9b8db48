using System.CommandLine;
using System.Globalization;
using Dha.Export;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha predict MODEL IMAGE...</c>: the class and its probability for each image file.</summary>
internal static class PredictCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A model folder (a run's model/ folder) or a run folder." };

    private static readonly Argument<string[]> ImagesArgument = new("IMAGE")
    {
        Description = "Image files (png, jpg, bmp).",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<bool> JsonOption = JsonOutput.Option();

    public static Command Create()
    {
        var command = new Command("predict", "Classify image files with a saved model.") { ModelArgument, ImagesArgument, JsonOption };
        command.SetAction(parseResult => Run(parseResult.GetValue(ModelArgument)!, parseResult.GetValue(ImagesArgument)!,
            parseResult.GetValue(JsonOption) ? value => JsonOutput.Write(parseResult, value) : null, Program.CreateConsole(parseResult)));
        return command;
    }

    /// <summary>The <c>--json</c> document: one prediction per image, in the order given.</summary>
    private sealed record PredictionResult(string Model, IReadOnlyList<Prediction> Predictions);

    /// <param name="model">The model or run folder.</param>
    /// <param name="images">The image files.</param>
    /// <param name="json">Takes the result as a JSON document instead of the table, when given.</param>
    /// <param name="console">Where the table goes.</param>
    internal static int Run(string model, string[] images, Action<object>? json, IAnsiConsole console)
    {
        using var bundle = ModelBundle.Load(DhaModel.ModelDirectory(model));
        if (json is not null)
        {
            json(new PredictionResult(DhaModel.ModelDirectory(model), [.. Predictor.Predict(bundle, images)]));
            return 0;
        }
        var table = new Table().AddColumn("image").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        foreach (var p in Predictor.Predict(bundle, images))
        {
            table.AddRow(Markup.Escape(p.File), Markup.Escape($"{p.ClassIndex} {p.ClassName}"), p.Probability.ToString("P2", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        return 0;
    }
}
