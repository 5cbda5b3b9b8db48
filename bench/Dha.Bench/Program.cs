// Benchmarks that print figures; they assert nothing. Usage:
//   dotnet run -c Release --project bench/Dha.Bench -- [augment] [trainer] [--full] [--mode dha|nas|nas+da|nas+hpo]
using Dha.Bench;

var which = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !Dha.Search.SearchModes.All.Contains(a)).ToHashSet();
var all = which.Count == 0;
var modeIndex = Array.IndexOf(args, "--mode");
var mode = modeIndex >= 0 && modeIndex + 1 < args.Length ? args[modeIndex + 1] : "dha";
if (all || which.Contains("augment"))
{
    AugmentBenchmark.Run(Console.Out);
}
if (all || which.Contains("trainer"))
{
    TrainerBenchmark.Run(Console.Out, full: args.Contains("--full"), mode);
}
return 0;
