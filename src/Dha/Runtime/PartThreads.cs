using System.Runtime.ExceptionServices;

namespace Dha.Runtime;

/// <summary>
/// Long-lived threads that each run one part of a round of work while the calling thread runs part 0. The same
/// threads serve every round: libtorch keeps state per thread (the intra-op setting, allocator arenas, kernel
/// scratch), so a thread pool's changing threads would let memory creep up over a run where these keep it flat.
/// </summary>
internal sealed class PartThreads : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim[] _start;
    private readonly CountdownEvent _done;
    private readonly ExceptionDispatchInfo?[] _errors;
    private Action<int>? _work;
    private volatile bool _stopping;

    /// <param name="parts">Parts per round, the caller's included: <paramref name="parts"/> − 1 threads are started.</param>
    /// <param name="name">The threads' name (with their part number).</param>
    /// <param name="onStart">Run on each thread before its first part (e.g. its libtorch thread setting).</param>
    public PartThreads(int parts, string name, Action onStart)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parts);
        _errors = new ExceptionDispatchInfo?[parts];
        _start = [.. Enumerable.Range(1, parts - 1).Select(_ => new SemaphoreSlim(0))];
        _done = new CountdownEvent(parts - 1);
        _threads = [.. Enumerable.Range(1, parts - 1).Select(part => new Thread(() => Loop(part, onStart)) { IsBackground = true, Name = $"{name} {part}" })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/>(k) for every part k, part 0 on the calling thread, and returns when all are done.
    /// An exception of a part is rethrown after every part ended (the first in part order).
    /// </summary>
    public void Run(Action<int> work)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        Array.Clear(_errors);
        _work = work;
        if (_threads.Length > 0)
        {
            _done.Reset();
            foreach (var start in _start)
            {
                start.Release();
            }
        }
        RunPart(0);
        if (_threads.Length > 0)
        {
            _done.Wait();
        }
        _work = null;
        foreach (var error in _errors)
        {
            error?.Throw();
        }
    }

    private void Loop(int part, Action onStart)
    {
        var started = false;
        while (true)
        {
            _start[part - 1].Wait();
            if (_stopping)
            {
                return;
            }
            RunPart(part, started ? null : onStart);
            started = true;
            _done.Signal();
        }
    }

    private void RunPart(int part, Action? first = null)
    {
        try
        {
            first?.Invoke();
            _work!(part);
        }
        catch (Exception e)
        {
            _errors[part] = ExceptionDispatchInfo.Capture(e);
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        foreach (var start in _start)
        {
            start.Release();
        }
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        foreach (var start in _start)
        {
            start.Dispose();
        }
        _done.Dispose();
    }
}
