using System.Diagnostics;
using System.Text.Json;
using Dha.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Dha.Bench;

/// <summary>
/// The first CNN a user would write by hand (shared/baselines/plain_cnn.py) in TorchSharp, the baseline row of the
/// benchmark grid: four 3×3 conv layers with batch norm, two max-pools, one hidden dense layer with dropout 0.3,
/// Nesterov SGD (weight decay 5e-4) under torch's one-cycle schedule (peak 0.1), batches of 64, a random shift of up
/// to 2 px per batch and a horizontal flip of half the batches. A fixed recipe, never tuned on test data: it reads the
/// same data as <c>dha</c> (<see cref="DatasetLocator"/>) and writes a <c>summary.json</c> with the keys of a search's.
/// </summary>
internal static class PlainCnn
{
    private const int BatchSize = 64;
    private const int Shift = 2;

    /// <summary>Usage: <c>plain-cnn --data D --seed S --out DIR (--steps N | --epochs E) [--threads T]</c>.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        var data = Arg("--data");
        var seed = int.Parse(Arg("--seed") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
        var threads = int.Parse(Arg("--threads") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var outDir = Arg("--out") ?? throw new ArgumentException("plain-cnn: --out DIR is required");
        torch.set_num_threads(threads);
        torch.manual_seed(seed);
        var shifts = new Random(seed);

        using var loaded = DatasetLocator.Load(data, maxImageSize: 64, splitSeed: seed);
        var (mean, std) = loaded.Train.ChannelStatistics();
        using var trainX = Normalise(loaded.Train.Images, mean, std);
        using var testX = Normalise(loaded.Test.Images, mean, std);
        var trainY = loaded.Train.Labels;
        var count = loaded.Train.Count;
        var stepsPerEpoch = (count + BatchSize - 1) / BatchSize;
        var steps = Arg("--steps") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
            : int.Parse(Arg("--epochs") ?? "15", System.Globalization.CultureInfo.InvariantCulture) * stepsPerEpoch;

        using var net = new Net(loaded.Train.Channels, loaded.Train.Height, loaded.Train.Width, loaded.Train.ClassCount);
        var optimizer = optim.SGD(net.parameters(), 0.05, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        var schedule = optim.lr_scheduler.OneCycleLR(optimizer, 0.1, total_steps: steps);

        var clock = Stopwatch.StartNew();
        var step = 0;
        while (step < steps)
        {
            net.train();
            using var order = randperm(count);
            for (var start = 0; start < count && step < steps; start += BatchSize, step++)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, start, Math.Min(BatchSize, count - start));
                var x = F.pad(trainX.index_select(0, index), [Shift, Shift, Shift, Shift]);
                var dx = shifts.Next(2 * Shift + 1);
                var dy = shifts.Next(2 * Shift + 1);
                x = x.narrow(2, dy, loaded.Train.Height).narrow(3, dx, loaded.Train.Width);
                if (shifts.NextDouble() < 0.5)
                {
                    x = x.flip(3);
                }
                var loss = F.cross_entropy(net.call(x), trainY.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                schedule.step();
            }
        }

        net.eval();
        long correct = 0;
        using (no_grad())
        {
            for (var start = 0; start < loaded.Test.Count; start += 500)
            {
                using var scope = NewDisposeScope();
                var length = Math.Min(500, loaded.Test.Count - start);
                var predicted = net.call(testX.narrow(0, start, length)).argmax(1);
                correct += predicted.eq(loaded.Test.Labels.narrow(0, start, length)).sum().item<long>();
            }
        }
        var accuracy = (double)correct / loaded.Test.Count;
        var seconds = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(outDir);
        var summary = new Dictionary<string, object>
        {
            ["mode"] = "plain-cnn",
            ["seed"] = seed,
            ["dataset"] = loaded.Path,
            ["image_size"] = loaded.Train.Height,
            ["final_test_accuracy"] = accuracy,
            ["test_images"] = loaded.Test.Count,
            ["parameter_count"] = net.parameters().Sum(p => p.numel()),
            ["wall_seconds"] = seconds,
            ["threads"] = threads,
            ["steps"] = steps,
        };
        File.WriteAllText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        output.WriteLine($"plain-cnn seed {seed}: {steps} steps, test {accuracy * 100:F2} % in {seconds:F0} s");
        return 0;
    }

    private static Tensor Normalise(Tensor uint8Images, float[] mean, float[] std)
    {
        using var scope = NewDisposeScope();
        var channels = mean.Length;
        var m = tensor(mean).reshape(1, channels, 1, 1);
        var s = tensor(std).reshape(1, channels, 1, 1);
        return uint8Images.to_type(ScalarType.Float32).div_(255).sub_(m).div_(s).MoveToOuterDisposeScope();
    }

    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv1;
        private readonly BatchNorm2d _norm1;
        private readonly Conv2d _conv2;
        private readonly BatchNorm2d _norm2;
        private readonly Conv2d _conv3;
        private readonly BatchNorm2d _norm3;
        private readonly Conv2d _conv4;
        private readonly BatchNorm2d _norm4;
        private readonly Linear _hidden;
        private readonly Linear _output;

        public Net(int channels, int height, int width, int classes) : base("plain_cnn")
        {
            _conv1 = nn.Conv2d(channels, 32, 3, padding: 1);
            _norm1 = nn.BatchNorm2d(32);
            _conv2 = nn.Conv2d(32, 32, 3, padding: 1);
            _norm2 = nn.BatchNorm2d(32);
            _conv3 = nn.Conv2d(32, 64, 3, padding: 1);
            _norm3 = nn.BatchNorm2d(64);
            _conv4 = nn.Conv2d(64, 64, 3, padding: 1);
            _norm4 = nn.BatchNorm2d(64);
            _hidden = nn.Linear(64 * (height / 4) * (width / 4), 128);
            _output = nn.Linear(128, classes);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            x = F.relu(_norm1.call(_conv1.call(x)));
            x = F.max_pool2d(F.relu(_norm2.call(_conv2.call(x))), 2);
            x = F.relu(_norm3.call(_conv3.call(x)));
            x = F.max_pool2d(F.relu(_norm4.call(_conv4.call(x))), 2);
            return _output.call(F.dropout(F.relu(_hidden.call(x.flatten(1))), 0.3, training));
        }
    }
}
