using System.CommandLine;
using Dha.Export;
using Spectre.Console;

namespace Dha.Cli;

/// <summary><c>dha export MODEL --onnx FILE</c>: the saved model as an ONNX file, to run without TorchSharp.</summary>
internal static class ExportCommand
{
    private static readonly Argument<string> ModelArgument = new("MODEL") { Description = "A model folder (a run's model/ folder) or a run folder." };

    private static readonly Option<string> OnnxOption = new("--onnx")
    {
        Description = "The ONNX file to write (opset 13; input 'image': float32 NCHW pixel / 255 in [0, 1], normalised inside the graph; output 'logits').",
        Required = true,
    };

    public static Command Create()
    {
        var command = new Command("export", "Write a saved model as an ONNX file.") { ModelArgument, OnnxOption };
        command.SetAction(parseResult => Run(parseResult.GetValue(ModelArgument)!, parseResult.GetValue(OnnxOption)!, Program.CreateConsole(parseResult)));
        return command;
    }

    internal static int Run(string model, string onnx, IAnsiConsole console)
    {
        using var bundle = ModelBundle.Load(DhaModel.ModelDirectory(model));
        OnnxExport.Write(bundle, onnx);
        var m = bundle.Manifest;
        console.WriteLine($"ONNX model written to {onnx} (input '{OnnxExport.InputName}' float32 [N, {m.InputChannels}, {m.ImageSize}, {m.ImageSize}], pixel / 255; output '{OnnxExport.OutputName}' [N, {m.Classes}])");
        return 0;
    }
}
