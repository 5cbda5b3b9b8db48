using Dha.Search;

namespace Dha.Cli.Terminal;

/// <summary>
/// The whole run's progress (steps done of the run's steps) and its remaining time, from the trainer's events and a
/// clock. The rule:
/// <code>remaining = left_A · r_A + left_B · r_B + ends · o − (time since the last step)</code>
/// <list type="bullet">
/// <item><c>left_A</c>, <c>left_B</c>: steps left in the search and training phases, from the run's plan
/// (<see cref="RunInfo"/>), re-planned when the search ends before its cap.</item>
/// <item><c>r</c>: per phase, an exponential moving average (weight <see cref="Smoothing"/>) of the wall time between
/// two consecutive steps of one epoch, timed in this process only: the steps a resumed run did before are counted as
/// done but never enter a rate, and neither does the first step after the start (loading, warm-up). A phase not
/// timed yet is priced at the rate of the phase before it; phase B steps (no architecture step) are cheaper, so the
/// estimate is high until phase B's own steps replace it.</item>
/// <item><c>o</c>: the latest pause between an epoch's last step and the next epoch's first one, less one step of
/// that phase (validation pass, recovery, checkpoint), times the epoch ends still to come; 0 until one was timed.</item>
/// </list>
/// Thread-safe: the trainer's thread reports, the progress display's thread reads.
/// </summary>
internal sealed class RunEta(TimeProvider clock)
{
    /// <summary>Weight of the newest step time in the moving average.</summary>
    internal const double Smoothing = 0.2;

    private readonly Lock _lock = new();
    private int _stepsPerEpoch;
    private int _epochs;
    private int _searchEpochs;
    private bool _spareEpochsTrain;
    private SearchPhase _phase;
    private long _done;
    private int _epochsEnded;
    private long? _lastStep;
    private double? _searchRate;
    private double? _trainRate;
    private double _epochPause;

    /// <summary>Steps done in the whole run (a resumed run's earlier steps included).</summary>
    public long Done
    {
        get
        {
            lock (_lock)
            {
                return _done;
            }
        }
    }

    /// <summary>Steps of the whole run as planned now.</summary>
    public long Total
    {
        get
        {
            lock (_lock)
            {
                return (long)_epochs * _stepsPerEpoch;
            }
        }
    }

    /// <summary>Epochs of the whole run as planned now.</summary>
    public int Epochs
    {
        get
        {
            lock (_lock)
            {
                return _epochs;
            }
        }
    }

    /// <summary>Search epochs as planned now: the cap, or once phase B began, the epochs searched.</summary>
    public int SearchEpochs
    {
        get
        {
            lock (_lock)
            {
                return _searchEpochs;
            }
        }
    }

    /// <summary>The time the rest of the run should take, or null until two steps have been timed.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            lock (_lock)
            {
                var current = Rate(_phase);
                if (current is not { } rate || _lastStep is not { } last)
                {
                    return null;
                }
                var searchEnd = (long)_searchEpochs * _stepsPerEpoch;
                var searchLeft = _phase == SearchPhase.Search ? Math.Max(0, searchEnd - _done) : 0;
                var trainLeft = (long)_epochs * _stepsPerEpoch - Math.Max(_done, _phase == SearchPhase.Search ? searchEnd : 0);
                var trainRate = _phase == SearchPhase.Train ? rate : _trainRate ?? rate;
                var seconds = searchLeft * rate + trainLeft * trainRate + (_epochs - _epochsEnded) * _epochPause
                    - clock.GetElapsedTime(last).TotalSeconds;
                return TimeSpan.FromSeconds(Math.Max(0, seconds));
            }
        }
    }

    public void Start(RunInfo info)
    {
        lock (_lock)
        {
            _stepsPerEpoch = info.StepsPerEpoch;
            _epochs = info.MaxEpochs;
            _searchEpochs = info.SearchEpochs;
            _spareEpochsTrain = info.SpareEpochsTrain;
            _phase = info.Phase;
            _done = (long)info.StartEpoch * info.StepsPerEpoch + info.StartStep;
            _epochsEnded = info.StartEpoch;
            _lastStep = null;
        }
    }

    public void Step(StepMetrics step)
    {
        var now = clock.GetTimestamp();
        lock (_lock)
        {
            if (_lastStep is { } last)
            {
                var seconds = clock.GetElapsedTime(last, now).TotalSeconds;
                if (step.Step == 1)
                {
                    // the pause is the gap less this step, which only a phase with its own rate can price
                    if ((step.Phase == SearchPhase.Search ? _searchRate : _trainRate) is { } rate)
                    {
                        _epochPause = Math.Max(0, seconds - rate);
                    }
                }
                else if (step.Phase == SearchPhase.Search)
                {
                    _searchRate = Average(_searchRate, seconds);
                }
                else
                {
                    _trainRate = Average(_trainRate, seconds);
                }
            }
            _lastStep = now;
            _phase = step.Phase;
            _done = (long)step.Epoch * _stepsPerEpoch + step.Step;
        }
    }

    public void EpochEnded()
    {
        lock (_lock)
        {
            _epochsEnded++;
        }
    }

    /// <summary>Phase B began: a search that ended before its cap gives its unused epochs to phase B or shortens the run.</summary>
    public void SearchEnded()
    {
        lock (_lock)
        {
            _phase = SearchPhase.Train;
            var searched = _epochsEnded;
            if (!_spareEpochsTrain)
            {
                _epochs -= _searchEpochs - searched;
            }
            _searchEpochs = searched;
        }
    }

    /// <summary>The seconds per step of <paramref name="phase"/>: its own average, or phase A's until phase B has one.</summary>
    private double? Rate(SearchPhase phase) => phase == SearchPhase.Train ? _trainRate ?? _searchRate : _searchRate;

    private static double Average(double? average, double seconds) =>
        average is { } a ? a + Smoothing * (seconds - a) : seconds;
}
