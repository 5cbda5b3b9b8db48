using System.Diagnostics;
using System.Globalization;
using Dha.Data;
using Dha.Search;
using static TorchSharp.torch;

namespace Dha.Bench;

/// <summary>
/// The profile of a training step at the speed issue's configuration (the shipped Fashion-MNIST padded to 3×32×32, 5
/// cells × 8 channels, batch 64, validation batch 64, 2 intra-op threads, seed 5): the time of each part of a step,
/// images/s, CPU utilisation, the achieved GFLOP/s, and the machine's dense-conv and matmul peaks measured in the
/// same process, so each figure is also a fraction of the limit. Prints; asserts nothing.
/// </summary>
internal static class ProfileBenchmark
{
    public static int Run(string[] args, TextWriter output)
    {
        var mode = Value(args, "--mode") ?? "dha";
        var steps = int.Parse(Value(args, "--steps") ?? "60", CultureInfo.InvariantCulture);
        var threads = int.Parse(Value(args, "--threads") ?? "2", CultureInfo.InvariantCulture);
        var warmup = 5;
        var options = Presets.Get("small") with
        {
            Mode = SearchModes.Parse(mode),
            Seed = 5,
            Threads = threads,
            Replicas = int.Parse(Value(args, "--replicas") ?? "1", CultureInfo.InvariantCulture),
            Data = new DataOptions { BatchSize = 64 },
            Network = new NetworkOptions { Channels = 8, Layers = 5 },
            Hpo = new HpoOptions { ValidationBatchSize = 64, Interval = int.Parse(Value(args, "--hpo-interval") ?? "1", CultureInfo.InvariantCulture) },
            Train = new TrainOptions { Steps = 0, SearchEpochs = 1, RetrainEpochs = 0 },
        };

        using var loaded = DatasetLocator.Load(null);
        using var train = Padded(loaded.Train);
        using var test = Padded(loaded.Test);
        using var trainer = TrainerBuilder.Build(options, train, test, "fashion-mnist-small padded to 3x32x32");
        var timings = new StepTimings();
        var clock = new StepClock(warmup, warmup + steps, timings, trainer);
        using var cancel = new CancellationTokenSource();
        clock.Done += cancel.Cancel;
        try
        {
            trainer.Train(clock, cancel.Token, () => { });
        }
        catch (OperationCanceledException)
        {
            // stopped after the measured steps
        }

        var wall = clock.Wall;
        var perStep = wall / steps;
        var images = options.Data.BatchSize / perStep;
        using var network = NetworkExport.FromTrainer(trainer);
        var madds = network.MultiplyAdds(); // per image, forward
        // forward + backward ≈ 3 forwards; the validation pass (dha, nas+hpo) is another batch of the same network
        var validated = options.Mode.LearnsHyperParameters() ? options.Hpo.ValidationBatchSize / (double)options.Hpo.Interval : 0;
        var flopsPerStep = 2.0 * 3 * madds * (options.Data.BatchSize + validated);
        var achieved = flopsPerStep / perStep / 1e9;
        var (conv, matmul) = Peaks();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"profile: mode {mode}, 3x32x32, C=8, 5 cells, batch 64, validation batch 64 every {options.Hpo.Interval} step(s), {get_num_threads()} threads, {steps} steps after {warmup} warm-up"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {perStep:F4} s/step   {images:F0} images/s   CPU {clock.CpuSeconds / wall:P0} of one core (2 cores = 200 %)"));
        for (var i = 0; i < StepTimings.Parts.Length; i++)
        {
            var seconds = timings.Seconds[i] / timings.Steps;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {StepTimings.Parts[i],-28} {seconds * 1000,8:F2} ms  {seconds / perStep,6:P1}"));
        }
        var outside = perStep - timings.Seconds.Sum() / timings.Steps;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"outside (data wait, metrics)",-28} {outside * 1000,8:F2} ms  {outside / perStep,6:P1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  achieved {achieved:F2} GFLOP/s ({madds / 1e6:F2} M multiply-adds per image forward) = {achieved / conv:P1} of the dense 3x3 conv peak ({conv:F0} GFLOP/s), {achieved / matmul:P1} of the matmul peak ({matmul:F0} GFLOP/s)"));
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>28×28 grey as 3×32×32: zero-padded by 2 and the plane repeated, as the issue's measurement fed both programs.</summary>
    private static ImageDataset Padded(ImageDataset data)
    {
        using var scope = NewDisposeScope();
        var images = nn.functional.pad(data.Images, [2, 2, 2, 2]).expand(-1, 3, -1, -1).contiguous();
        return new ImageDataset(images, data.Labels.clone(), data.ClassNames);
    }

    /// <summary>The best of 5 runs of a dense 3×3 convolution (64→64 channels, 64×32×32) and of a 1024² matmul, in GFLOP/s.</summary>
    private static (double Conv, double Matmul) Peaks()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(64, 64, 32, 32);
        var w = randn(64, 64, 3, 3);
        var convFlops = 2.0 * 64 * 64 * 64 * 32 * 32 * 9;
        var a = randn(1024, 1024);
        var b = randn(1024, 1024);
        var mmFlops = 2.0 * 1024 * 1024 * 1024;
        return (convFlops / Best(() => nn.functional.conv2d(x, w, padding: [1, 1])) / 1e9, mmFlops / Best(() => a.mm(b)) / 1e9);
    }

    private static double Best(Func<Tensor> run)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 6; i++)
        {
            var watch = Stopwatch.StartNew();
            run().Dispose();
            if (i > 0)
            {
                best = Math.Min(best, watch.Elapsed.TotalSeconds);
            }
        }
        return best;
    }

    /// <summary>Starts the clocks (and the part timings) after the warm-up steps and stops the run after the measured ones.</summary>
    private sealed class StepClock(int warmup, int last, StepTimings timings, DhaTrainer trainer) : ISearchObserver
    {
        private readonly Stopwatch _watch = new();
        private TimeSpan _cpuStart;
        private int _steps;

        public event Action? Done;

        public double Wall { get; private set; }

        public double CpuSeconds { get; private set; }

        public void OnStepCompleted(StepMetrics metrics)
        {
            _steps++;
            if (_steps == warmup)
            {
                trainer.Timings = timings;
                _cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                _watch.Start();
            }
            else if (_steps == last)
            {
                Wall = _watch.Elapsed.TotalSeconds;
                CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - _cpuStart).TotalSeconds;
                trainer.Timings = null;
                Done?.Invoke();
            }
        }
    }
}
