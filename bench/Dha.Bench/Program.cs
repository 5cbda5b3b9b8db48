// Benchmarks that print figures; they assert nothing. Usage:
//   dotnet run -c Release --project bench/Dha.Bench -- [ops] [augment] [trainer] [--full] [--mode dha|nas|nas+da|nas+hpo]
//   dotnet run -c Release --project bench/Dha.Bench -- plain-cnn --data D --seed S --out DIR (--steps N | --epochs E)
//   dotnet run -c Release --project bench/Dha.Bench -- grid-table DIR      (the table of bench/grid.sh)
//   dotnet run -c Release --project bench/Dha.Bench -- parallel-probe   (two half-batches on two threads against intra-op threads)
//   dotnet run -c Release --project bench/Dha.Bench -- profile [--mode dha|nas] [--steps N] [--threads T] [--replicas R] [--hpo-interval K]
using Dha.Bench;
using Dha.Runtime;

DhaRuntime.Configure();
switch (args.FirstOrDefault())
{
    case "plain-cnn":
        return PlainCnn.Run(args[1..], Console.Out);
    case "grid-table":
        return GridTable.Run(args[1], Console.Out);
    case "parallel-probe":
        return ParallelProbe.Run(Console.Out);
    case "profile":
        return ProfileBenchmark.Run(args[1..], Console.Out);
}

var modeIndex = Array.IndexOf(args, "--mode");
var mode = modeIndex >= 0 && modeIndex + 1 < args.Length ? args[modeIndex + 1] : "dha";
var which = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (modeIndex < 0 || i != modeIndex + 1)).ToHashSet();
var all = which.Count == 0;
if (all || which.Contains("ops"))
{
    OpBenchmark.Run(Console.Out);
}
if (all || which.Contains("augment"))
{
    AugmentBenchmark.Run(Console.Out);
}
if (all || which.Contains("trainer"))
{
    TrainerBenchmark.Run(Console.Out, full: args.Contains("--full"), mode);
}
return 0;
