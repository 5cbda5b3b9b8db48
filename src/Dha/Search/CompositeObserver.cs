namespace Dha.Search;

/// <summary>Passes every report to each of its observers, in order.</summary>
internal sealed class CompositeObserver : ISearchObserver
{
    private readonly ISearchObserver[] _observers;

    public CompositeObserver(params IEnumerable<ISearchObserver?> observers)
    {
        _observers = [.. observers.OfType<ISearchObserver>()];
    }

    public void OnBudgetResolved(BudgetResolved budget) => Each(o => o.OnBudgetResolved(budget));

    public void OnRunStarted(RunInfo info) => Each(o => o.OnRunStarted(info));

    public void OnStepCompleted(StepMetrics metrics) => Each(o => o.OnStepCompleted(metrics));

    public void OnEpochCompleted(EpochMetrics metrics) => Each(o => o.OnEpochCompleted(metrics));

    public void OnPhaseChanged(SearchPhase phase) => Each(o => o.OnPhaseChanged(phase));

    public void OnNodeFrozen(NodeFrozen frozen) => Each(o => o.OnNodeFrozen(frozen));

    public void OnRecovery(ArchitectureRecovery recovery) => Each(o => o.OnRecovery(recovery));

    private void Each(Action<ISearchObserver> report)
    {
        foreach (var observer in _observers)
        {
            report(observer);
        }
    }
}
