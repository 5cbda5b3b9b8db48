using Dha.Onnx;

// OnnxConsumer MODEL.onnx IMAGE...: the class of each image, by a model `dha export` wrote.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: OnnxConsumer MODEL.onnx IMAGE...");
    return 2;
}
try
{
    using var model = OnnxImageClassifier.Load(args[0]);
    foreach (var image in args[1..])
    {
        var prediction = model.Predict(image);
        Console.WriteLine($"{image}\t{prediction.Label}\t{prediction.Probability:F4}");
    }
    return 0;
}
catch (OnnxInputException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
