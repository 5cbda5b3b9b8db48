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

    public static Command Create()
    {
        var command = new Command("predict", "Classify image files with a saved model.") { ModelArgument, ImagesArgument };
        command.SetAction(parseResult => Run(parseResult.GetValue(ModelArgument)!, parseResult.GetValue(ImagesArgument)!, Program.CreateConsole(parseResult)));
        return command;
    }

    internal static int Run(string model, string[] images, IAnsiConsole console)
    {
        using var bundle = ModelBundle.Load(ModelPaths.Resolve(model));
        var table = new Table().AddColumn("image").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        foreach (var p in Predictor.Predict(bundle, images))
        {
            table.AddRow(Markup.Escape(p.File), Markup.Escape($"{p.ClassIndex} {p.ClassName}"), p.Probability.ToString("P2", CultureInfo.InvariantCulture));
        }
        console.Write(table);
        return 0;
    }
}
