using System.Globalization;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli.Terminal;

/// <summary>
/// Draws a run's progress: a live bar over the whole run (phase, epoch k/N, step, loss, remaining time; see
/// <see cref="RunEta"/>), one row of the <see cref="EpochTable"/> per epoch, and a line when a node freezes or the
/// search ends, with the reason. When the console is not interactive (a pipe, a log file) there is no bar.
/// <c>--verbose</c> adds per epoch the architecture, the share of step time spent waiting for data, and every recovery.
/// </summary>
internal sealed class ProgressObserver : ISearchObserver
{
    private readonly IAnsiConsole _console;
    private readonly string _directory;
    private readonly string _command;
    private readonly bool _verbose;
    private readonly RunEta _eta;
    private EpochTable? _table;
    private bool _headerWritten;
    private int _nodes;
    /// <summary>Frozen nodes at the end of the last epoch.</summary>
    private int _frozen;
    private bool _spareEpochsTrain;
    private int _searchEpochCap;
    private double _waitSeconds;
    private double _stepSeconds;
    private ProgressTask? _task;

    /// <param name="console">Where the bar and the lines are written.</param>
    /// <param name="directory">The run folder, named in the header line written before the run's first report.</param>
    /// <param name="command">The command named in that header (<c>dha search</c>, <c>dha train</c>).</param>
    /// <param name="verbose">Also write the per-epoch details.</param>
    /// <param name="eta">The run's progress and remaining time (shared with the bar's time column).</param>
    public ProgressObserver(IAnsiConsole console, string directory, string command, bool verbose, RunEta eta)
    {
        _console = console;
        _directory = directory;
        _command = command;
        _verbose = verbose;
        _eta = eta;
    }

    public void Attach(ProgressTask task) => _task = task;

    public void OnBudgetResolved(BudgetResolved budget)
    {
        WriteHeader();
        _console.WriteLine(Invariant(
            $"time budget {budget.TimeBudgetSeconds:0.#}s → {budget.Steps} steps (measured {budget.Speed.SearchSeconds:F3} s per search step, {budget.Speed.TrainSeconds:F3} s per training step; saved as train.steps)"));
    }

    public void OnRunStarted(RunInfo info)
    {
        WriteHeader();
        _eta.Start(info);
        _nodes = info.ArchitectureNodes;
        _spareEpochsTrain = info.SpareEpochsTrain;
        _searchEpochCap = info.SearchEpochs;
        _table = new EpochTable(_console.Profile.Width, _nodes);
        if (info.Resumed)
        {
            _console.MarkupLineInterpolated($"[grey]resuming at epoch {info.StartEpoch + 1}, step {info.StartStep}[/]");
        }
        _console.MarkupLineInterpolated(
            $"[grey]data[/] {info.Dataset}: {info.TrainImages} train, {info.ValidationImages} validation, {info.TestImages} test images; {info.MaxEpochs} epochs of {info.StepsPerEpoch} steps; {(_nodes > 0 ? "search network" : "network")} {info.SearchNetworkParameters:N0} parameters");
        if (_verbose && _nodes > 0)
        {
            _console.MarkupLineInterpolated(
                $"[grey]plan[/] search for at most {info.SearchEpochs} epochs (it ends earlier when all {_nodes} nodes freeze), then train the fixed architecture for the {info.MaxEpochs - info.SearchEpochs} epochs left{(_spareEpochsTrain ? " and any the search leaves unused" : "")}");
        }
        UpdateBar(info.Phase, info.StartEpoch, info.StartStep, info.StepsPerEpoch, loss: null);
    }

    public void OnWarning(string message)
    {
        WriteHeader();
        _console.MarkupLineInterpolated($"[yellow]warning[/]: {message}");
    }

    public void OnStepCompleted(StepMetrics m)
    {
        _eta.Step(m);
        _waitSeconds += m.WaitSeconds;
        _stepSeconds += m.StepSeconds;
        UpdateBar(m.Phase, m.Epoch, m.Step, m.StepsPerEpoch, m.Loss);
    }

    public void OnEpochCompleted(EpochMetrics m)
    {
        WriteHeader();
        _eta.EpochEnded();
        _frozen = m.FrozenNodes;
        foreach (var line in _table!.Add(m, _eta.Epochs, _eta.Remaining))
        {
            _console.MarkupLine(line);
        }
        if (_verbose)
        {
            if (_nodes > 0)
            {
                _console.MarkupLineInterpolated($"[grey]  architecture {m.Genotype}[/]");
            }
            var waiting = _stepSeconds > 0 ? _waitSeconds / _stepSeconds : 0;
            _console.MarkupLine($"[grey]  waiting for data {Invariant($"{waiting * 100:F0}")}% of the step time[/]");
        }
        _waitSeconds = 0;
        _stepSeconds = 0;
    }

    public void OnPhaseChanged(SearchPhase phase)
    {
        WriteHeader();
        _eta.SearchEnded();
        var searched = _eta.SearchEpochs;
        var training = _eta.Epochs - searched;
        // every node frozen when the last search epoch began is what ends a search early (the stop flag)
        if (_frozen >= _nodes && searched < _searchEpochCap)
        {
            _console.MarkupLineInterpolated($"[bold]search ended[/] after {searched} of at most {Epochs(_searchEpochCap)}: every node froze ({_frozen}/{_nodes})");
        }
        else
        {
            _console.MarkupLineInterpolated($"[bold]search ended[/] at its cap of {Epochs(searched)} with {_frozen}/{_nodes} nodes frozen");
        }
        _console.MarkupLineInterpolated($"[bold]training[/] the fixed architecture for {Epochs(training)} (phase B)");
    }

    public void OnNodeFrozen(NodeFrozen frozen)
    {
        WriteHeader();
        _console.MarkupLineInterpolated(
            $"[yellow]node {frozen.Node} of the {frozen.Cell.ToString().ToLowerInvariant()} cell froze[/] as epoch {frozen.Epoch + 1} began");
    }

    public void OnRecovery(ArchitectureRecovery recovery)
    {
        var report = recovery.Report;
        // an accepted recovery shows in the table (frozen count) and a skipped one changes nothing; a rejected one would not show at all
        if (report.Skipped || report.Accepted && !_verbose)
        {
            return;
        }
        WriteHeader();
        if (report.Accepted)
        {
            _console.MarkupLineInterpolated(
                $"[grey]  recovery after epoch {recovery.Epoch + 1}: accepted, {report.FrozenCount}/{_nodes} frozen, {report.ParameterMillions:F2} M parameters[/]");
        }
        else
        {
            _console.MarkupLineInterpolated(
                $"[grey]epoch {recovery.Epoch + 1}: recovered architecture rejected ({report.ParameterMillions:F2} M parameters reach architecture.param_limit)[/]");
        }
    }

    private void UpdateBar(SearchPhase phase, int epoch, int step, int stepsPerEpoch, double? loss)
    {
        if (_task is null)
        {
            return;
        }
        _task.MaxValue = Math.Max(1, _eta.Total);
        _task.Value = _eta.Done;
        var lossText = loss is { } l ? Invariant($" · loss {l:F3}") : "";
        _task.Description = Markup.Escape(Invariant(
            $"{(phase == SearchPhase.Search ? "search" : "train")} · epoch {epoch + 1}/{_eta.Epochs} · step {step}/{stepsPerEpoch}{lossText}"));
    }

    private void WriteHeader()
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            _console.MarkupLineInterpolated($"[bold]{_command}[/] → {_directory}");
        }
    }

    private static string Epochs(int count) => count == 1 ? "1 epoch" : Invariant($"{count} epochs");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
