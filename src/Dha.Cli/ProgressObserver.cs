using System.Globalization;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli;

/// <summary>
/// Draws a run's progress: a live bar with loss, accuracy and η for the epoch in progress, and one line per epoch.
/// When the console is not interactive (a pipe, a log file) only the epoch lines are written.
/// </summary>
internal sealed class ProgressObserver : ISearchObserver
{
    private readonly IAnsiConsole _console;
    private readonly string _directory;
    private readonly string _command;
    private bool _headerWritten;
    private int _nodes;
    private ProgressTask? _task;

    /// <param name="console">Where the bar and the epoch lines are written.</param>
    /// <param name="directory">The run folder, named in the header line written before the run's first report.</param>
    /// <param name="command">The command named in that header (<c>dha search</c>, <c>dha train</c>).</param>
    public ProgressObserver(IAnsiConsole console, string directory, string command)
    {
        _console = console;
        _directory = directory;
        _command = command;
    }

    public void Attach(ProgressTask task) => _task = task;

    public void OnBudgetResolved(BudgetResolved budget)
    {
        WriteHeader();
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"time budget {budget.TimeBudgetSeconds:0.#}s → {budget.Steps} steps (measured {budget.Speed.SearchSeconds:F3} s per search step, {budget.Speed.TrainSeconds:F3} s per training step; saved as train.steps)"));
    }

    public void OnRunStarted(RunInfo info)
    {
        WriteHeader();
        _nodes = info.ArchitectureNodes;
        if (info.Resumed)
        {
            _console.MarkupLineInterpolated($"[grey]resuming at epoch {info.StartEpoch + 1}, step {info.StartStep}[/]");
        }
        _console.MarkupLineInterpolated(
            $"[grey]data[/] {info.Dataset}: {info.TrainImages} train, {info.ValidationImages} validation, {info.TestImages} test images; {info.MaxEpochs} epochs of {info.StepsPerEpoch} steps; {(_nodes > 0 ? "search network" : "network")} {info.SearchNetworkParameters:N0} parameters");
        if (_task is not null)
        {
            _task.MaxValue = info.StepsPerEpoch;
        }
    }

    public void OnWarning(string message)
    {
        WriteHeader();
        _console.MarkupLineInterpolated($"[yellow]warning[/]: {message}");
    }

    public void OnStepCompleted(StepMetrics m)
    {
        if (_task is null)
        {
            return;
        }
        _task.Value = m.Step;
        _task.Description = string.Create(CultureInfo.InvariantCulture,
            $"{Phase(m.Phase)} epoch {m.Epoch + 1}  loss {m.Loss:F3}  acc {m.Accuracy:P1}  η {m.LearningRate:G3}");
    }

    public void OnEpochCompleted(EpochMetrics m)
    {
        WriteHeader();
        var test = m.TestAccuracy is { } t ? string.Create(CultureInfo.InvariantCulture, $"  test {t:P2}") : "";
        // a retraining searches no nodes
        var frozen = _nodes > 0 ? string.Create(CultureInfo.InvariantCulture, $"  frozen {m.FrozenNodes}/{_nodes}") : "";
        var entropy = double.IsNaN(m.PolicyEntropy) ? "" : string.Create(CultureInfo.InvariantCulture, $"  H(p) {m.PolicyEntropy:F3}");
        _console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {m.Epoch + 1,3} {m.Phase,-6}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P2}  val loss {m.ValidationLoss:F4} acc {m.ValidationAccuracy:P2}{test}  η {m.LearningRate:G4} λ {m.WeightDecay:G4}{entropy}{frozen}  {m.Seconds:F1}s"));
        if (_task is not null)
        {
            _task.Value = 0;
        }
    }

    public void OnPhaseChanged(SearchPhase phase)
    {
        WriteHeader();
        _console.MarkupLine(phase == SearchPhase.Train
            ? "[bold]architecture fixed[/]: training the same weights on (phase B)"
            : "[bold]searching[/] (phase A)");
    }

    public void OnNodeFrozen(NodeFrozen frozen)
    {
        WriteHeader();
        _console.MarkupLineInterpolated($"[grey]node {frozen.Node} of the {frozen.Cell.ToString().ToLowerInvariant()} cell froze[/]");
    }

    public void OnRecovery(ArchitectureRecovery recovery)
    {
        // an accepted recovery shows in the epoch line (frozen count, genotype); a rejected one would not show at all
        if (!recovery.Report.Accepted && !recovery.Report.Skipped)
        {
            WriteHeader();
            _console.MarkupLineInterpolated(
                $"[grey]epoch {recovery.Epoch + 1}: recovered architecture rejected ({recovery.Report.ParameterMillions:F2} M parameters reach architecture.param_limit)[/]");
        }
    }

    private void WriteHeader()
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            _console.MarkupLineInterpolated($"[bold]{_command}[/] → {_directory}");
        }
    }

    private static string Phase(SearchPhase phase) => phase == SearchPhase.Search ? "search" : "train";
}
