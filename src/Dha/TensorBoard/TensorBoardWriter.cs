using System.Globalization;
using System.Text;
using Dha.Augment;
using Dha.Search;
using Google.Protobuf;
using Tensorboard;

namespace Dha.TensorBoard;

/// <summary>
/// Writes a run's TensorBoard event files (<c>tensorboard/events.out.tfevents.TIME.HOST</c>, one per session):
/// scalars per step (<c>step/…</c>: the epoch's running train loss and accuracy, η, λ, the policy's entropy, the step
/// and wait seconds), per epoch (<c>epoch/…</c>) and per recovery (<c>recovery/…</c>), and as text per epoch
/// (markdown, tags <c>genotype</c>, <c>policy/top_pairs</c>, <c>recovery</c>, each followed by <c>/text_summary</c>)
/// the genotype, the most likely op pairs and the recovery of every node. The x axis is the global step; an epoch's
/// values stand at the step that ends it. Only values the observer already receives (or the policy's θ, held on the
/// host) are written: nothing waits for the device. TorchSharp's <c>SummaryWriter</c> is not used: it reopens the
/// file for every event and records the file version's wall time in ticks instead of seconds.
/// </summary>
/// <remarks>
/// Events are buffered and flushed (to the OS, not to disk) by <see cref="Flush"/>, which the run calls before every
/// checkpoint. A resumed session first cuts the files of earlier sessions back to the checkpoint's step (events past
/// it were written by the killed session and are done again), then writes a new file, so no step appears twice.
/// </remarks>
internal sealed class TensorBoardWriter : ISearchObserver, IDisposable
{
    /// <summary>The run folder's subfolder that holds the event files.</summary>
    public const string Folder = "tensorboard";

    /// <summary>What TensorBoard looks for in an event file's name.</summary>
    public const string FilePrefix = "events.out.tfevents.";

    private const int TopPairs = LearningHistoryWriter.TopPairs;

    private readonly string _folder;
    private readonly OpPairPolicy? _policy;
    private FileStream? _file;
    private int _stepsPerEpoch;

    /// <param name="runDirectory">The run folder.</param>
    /// <param name="policy">The augmentation policy of a search that learns one, else null.</param>
    public TensorBoardWriter(string runDirectory, OpPairPolicy? policy)
    {
        _folder = Path.Combine(runDirectory, Folder);
        _policy = policy;
    }

    public void OnRunStarted(RunInfo info)
    {
        _stepsPerEpoch = info.StepsPerEpoch;
        Directory.CreateDirectory(_folder);
        if (info.Resumed)
        {
            var checkpointStep = (long)info.StartEpoch * info.StepsPerEpoch + info.StartStep;
            foreach (var file in Directory.EnumerateFiles(_folder, FilePrefix + "*").ToArray())
            {
                KeepUpTo(file, checkpointStep);
            }
        }
        _file = CreateFile();
        Write(new Event { FileVersion = "brain.Event:2", WallTime = Now() });
    }

    public void OnStepCompleted(StepMetrics metrics)
    {
        var summary = new Summary();
        Add(summary, "step/train_loss", metrics.Loss);
        Add(summary, "step/train_accuracy", metrics.Accuracy);
        Add(summary, "step/learning_rate", metrics.LearningRate);
        Add(summary, "step/weight_decay", metrics.WeightDecay);
        if (_policy is not null)
        {
            Add(summary, "step/policy_entropy", _policy.Entropy());
        }
        Add(summary, "step/seconds", metrics.StepSeconds);
        Add(summary, "step/wait_seconds", metrics.WaitSeconds);
        Write(summary, (long)metrics.Epoch * _stepsPerEpoch + metrics.Step);
    }

    public void OnRecovery(ArchitectureRecovery recovery)
    {
        var report = recovery.Report;
        var summary = new Summary();
        Add(summary, "recovery/accepted", report.Accepted ? 1 : 0);
        Add(summary, "recovery/frozen_nodes", report.FrozenCount);
        if (report.ParameterMillions is { } millions)
        {
            Add(summary, "recovery/parameter_millions", millions);
        }
        var table = new StringBuilder(report.Accepted ? "accepted\n\n" : "rejected (parameter limit)\n\n");
        table.Append("| cell | node | distance to the last x | frozen |\n|---|---|---|---|\n");
        foreach (var node in report.Nodes)
        {
            var name = $"{node.Type.ToString().ToLowerInvariant()}_{node.Node}";
            Add(summary, $"recovery/distance/{name}", node.Distance);
            table.Append(CultureInfo.InvariantCulture, $"| {node.Type.ToString().ToLowerInvariant()} | {node.Node} | {node.Distance:G6} | {(node.Frozen ? "yes" : "no")} |\n");
        }
        summary.Value.Add(Text("recovery", table.ToString()));
        Write(summary, EpochEndStep(recovery.Epoch));
    }

    public void OnEpochCompleted(EpochMetrics metrics)
    {
        var summary = new Summary();
        Add(summary, "epoch/train_loss", metrics.TrainLoss);
        Add(summary, "epoch/train_accuracy", metrics.TrainAccuracy);
        Add(summary, "epoch/validation_loss", metrics.ValidationLoss);
        Add(summary, "epoch/validation_accuracy", metrics.ValidationAccuracy);
        if (metrics.TestAccuracy is { } test)
        {
            Add(summary, "epoch/test_accuracy", test);
        }
        Add(summary, "epoch/learning_rate", metrics.LearningRate);
        Add(summary, "epoch/weight_decay", metrics.WeightDecay);
        if (!double.IsNaN(metrics.PolicyEntropy))
        {
            Add(summary, "epoch/policy_entropy", metrics.PolicyEntropy);
        }
        Add(summary, "epoch/frozen_nodes", metrics.FrozenNodes);
        Add(summary, "epoch/seconds", metrics.Seconds);
        summary.Value.Add(Text("genotype", $"{metrics.Phase} epoch {metrics.Epoch}: `{metrics.Genotype}`"));
        if (_policy is not null)
        {
            var table = new StringBuilder("| first op | second op | p |\n|---|---|---|\n");
            foreach (var (first, second, p) in OpPairPolicy.MostLikely(_policy.Probabilities(), TopPairs))
            {
                table.Append(CultureInfo.InvariantCulture, $"| {first.ToText()} | {second.ToText()} | {p:G4} |\n");
            }
            summary.Value.Add(Text("policy/top_pairs", table.ToString()));
        }
        Write(summary, EpochEndStep(metrics.Epoch));
    }

    /// <summary>Hands the buffered events to the OS, so that a kill after it loses none of them.</summary>
    public void Flush() => _file?.Flush();

    public void Dispose() => _file?.Dispose();

    /// <summary>
    /// Keeps in the event file <paramref name="path"/> only its good records whose step is at most
    /// <paramref name="lastStep"/> (rewritten atomically; left alone when nothing goes).
    /// </summary>
    internal static void KeepUpTo(string path, long lastStep)
    {
        List<byte[]> records;
        bool complete;
        using (var read = File.OpenRead(path))
        {
            records = TfRecord.ReadValid(read, out complete);
        }
        var keep = records.Where(r => Event.Parser.ParseFrom(r).Step <= lastStep).ToList();
        if (complete && keep.Count == records.Count)
        {
            return;
        }
        AtomicFile.Write(path, stream => keep.ForEach(r => TfRecord.Write(stream, r)));
    }

    private long EpochEndStep(int epoch) => (epoch + 1L) * _stepsPerEpoch;

    private FileStream CreateFile()
    {
        var name = $"{FilePrefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Environment.MachineName}";
        var path = Path.Combine(_folder, name);
        // two sessions within a second: the later file sorts after the earlier one
        for (var n = 1; File.Exists(path); n++)
        {
            path = Path.Combine(_folder, $"{name}.{n}");
        }
        return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
    }

    private void Write(Summary summary, long step) => Write(new Event { WallTime = Now(), Step = step, Summary = summary });

    private void Write(Event e)
    {
        if (_file is null)
        {
            throw new InvalidOperationException("TensorBoard events before the run started.");
        }
        TfRecord.Write(_file, e.ToByteArray());
    }

    private static void Add(Summary summary, string tag, double value) =>
        summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });

    /// <summary>A markdown text, filed (as PyTorch's <c>add_text</c> does) under <c>TAG/text_summary</c>.</summary>
    private static Summary.Types.Value Text(string tag, string markdown) =>
        TorchSharp.torch.utils.tensorboard.Summary.text(tag, markdown).Value[0];

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
