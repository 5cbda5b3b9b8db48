using Dha;
using Dha.Search;

// QuickStart IMAGE [key=value ...]: searches an image classifier on the shipped Fashion-MNIST subset, then classifies
// IMAGE (PNG, JPEG or BMP) with it. The key=value pairs are those of `dha search --set`; without any, the run is the
// default preset `small` (about four minutes on two cores); `train.steps=50` makes a run of seconds.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: QuickStart IMAGE [key=value ...]");
    return 2;
}
try
{
    var options = new SearchOptions().WithOverrides(args[1..]);
    var progress = new Progress<SearchProgress>(p => Console.Write($"\r{p.Phase}: {p.Fraction:P0}, loss {p.Loss:F3}  "));
    var result = await ImageClassifierSearch.RunAsync(null, options, progress: progress);
    Console.WriteLine($"\ntest accuracy {result.TestAccuracy:P2}, run folder {result.RunDirectory}");

    using var model = DhaModel.Load(result.ModelDirectory);
    var prediction = model.Predict(args[0]);
    Console.WriteLine($"{prediction.File}: {prediction.ClassName} ({prediction.Probability:P1})");
    return 0;
}
catch (InvalidInputException e)
{
    // bad input (a wrong key or value, a missing image) comes as one line naming what is wrong
    Console.Error.WriteLine(e.Message);
    return 2;
}
