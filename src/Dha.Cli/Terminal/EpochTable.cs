using System.Globalization;
using Dha.Search;
using Spectre.Console;

namespace Dha.Cli.Terminal;

/// <summary>
/// The per-epoch table, written one row at a time as epochs end (a whole Spectre table could only be drawn at the
/// end). Its columns are chosen at the first row: test accuracy, policy entropy and frozen nodes only when the run
/// has them, and then, while the row is wider than the console, the least needed ones are left out (λ first; epoch,
/// phase and validation accuracy always stay). The best validation accuracy so far is bold green.
/// </summary>
internal sealed class EpochTable
{
    /// <summary>Spaces between two columns.</summary>
    private const int Gap = 2;

    private readonly int _width;
    private readonly int _nodes;
    private Column[]? _columns;
    private double _bestValidation = double.NegativeInfinity;
    private int _frozen;

    /// <param name="width">The console's width in characters.</param>
    /// <param name="nodes">Architecture nodes the run searches (0 for a retraining: no frozen column).</param>
    public EpochTable(int width, int nodes)
    {
        _width = width;
        _nodes = nodes;
    }

    /// <summary>One epoch's cells and how they look.</summary>
    /// <param name="Metrics">The epoch's metrics.</param>
    /// <param name="Epochs">The run's epochs as planned now.</param>
    /// <param name="Remaining">The run's remaining time, if known.</param>
    /// <param name="Best">Whether the validation accuracy is the best so far.</param>
    /// <param name="NewlyFrozen">Whether nodes froze as this epoch began.</param>
    private sealed record Row(EpochMetrics Metrics, int Epochs, TimeSpan? Remaining, bool Best, bool NewlyFrozen);

    /// <param name="Header">The column's title.</param>
    /// <param name="Width">Characters of its widest cell.</param>
    /// <param name="Keep">Rank when the console is too narrow: the lowest goes first; <see cref="int.MaxValue"/> always stays.</param>
    /// <param name="Cell">The cell's text.</param>
    /// <param name="Style">The cell's Spectre style, or null for none.</param>
    /// <param name="Left">Left-aligned (text) rather than right-aligned (numbers).</param>
    private sealed record Column(string Header, int Width, int Keep, Func<Row, string> Cell, Func<Row, string?> Style, bool Left = false);

    /// <summary>
    /// The markup of the rows for <paramref name="metrics"/>: the header first when this is the table's first row.
    /// </summary>
    /// <param name="metrics">The epoch that ended.</param>
    /// <param name="epochs">The run's epochs as planned now.</param>
    /// <param name="remaining">The run's remaining time, if known.</param>
    public IReadOnlyList<string> Add(EpochMetrics metrics, int epochs, TimeSpan? remaining)
    {
        var lines = new List<string>();
        if (_columns is null)
        {
            _columns = Fit(Columns(epochs, metrics.TestAccuracy is not null, !double.IsNaN(metrics.PolicyEntropy), _nodes > 0), _width);
            lines.Add(string.Join(new string(' ', Gap), _columns.Select(c => $"[bold]{Markup.Escape(Pad(c.Header, c))}[/]")));
        }
        var best = metrics.ValidationAccuracy > _bestValidation;
        _bestValidation = Math.Max(_bestValidation, metrics.ValidationAccuracy);
        var row = new Row(metrics, epochs, remaining, best, metrics.FrozenNodes > _frozen);
        _frozen = metrics.FrozenNodes;
        lines.Add(string.Join(new string(' ', Gap), _columns.Select(c => Styled(Pad(c.Cell(row), c), c.Style(row)))));
        return lines;
    }

    private Column[] Columns(int epochs, bool test, bool entropy, bool frozen)
    {
        var digits = epochs.ToString(CultureInfo.InvariantCulture).Length;
        var columns = new List<Column>
        {
            new("epoch", Math.Max(5, 2 * digits + 1), int.MaxValue, r => Invariant($"{r.Metrics.Epoch + 1}/{r.Epochs}"), _ => null),
            new("phase", 7, int.MaxValue, r => r.Metrics.Phase, r => r.Metrics.Phase == "search" ? "blue" : "green", Left: true),
            new("loss", 6, 3, r => Invariant($"{r.Metrics.TrainLoss:F3}"), _ => null),
            new("acc", 6, 9, r => Percent(r.Metrics.TrainAccuracy), _ => null),
            new("val_loss", 8, 10, r => Invariant($"{r.Metrics.ValidationLoss:F3}"), _ => null),
            new("val_acc", 7, int.MaxValue, r => Percent(r.Metrics.ValidationAccuracy), r => r.Best ? "bold green" : null),
        };
        if (test)
        {
            columns.Add(new("test_acc", 8, 4, r => r.Metrics.TestAccuracy is { } t ? Percent(t) : "", _ => null));
        }
        columns.Add(new("η", 7, 5, r => Invariant($"{r.Metrics.LearningRate:0.0e+00}"), _ => null));
        columns.Add(new("λ", 7, 1, r => Invariant($"{r.Metrics.WeightDecay:0.0e+00}"), _ => null));
        if (entropy)
        {
            columns.Add(new("H(p)", 5, 2, r => Invariant($"{r.Metrics.PolicyEntropy:F2}"), _ => null));
        }
        if (frozen)
        {
            columns.Add(new("frozen", 6, 6, r => Invariant($"{r.Metrics.FrozenNodes}/{_nodes}"), r => r.NewlyFrozen ? "yellow" : null));
        }
        columns.Add(new("time", 6, 8, r => ShortDuration.Seconds(r.Metrics.Seconds), _ => "grey"));
        columns.Add(new("ETA", 6, 7, r => r.Remaining is { } eta ? ShortDuration.Format(eta) : "--", _ => "grey"));
        return [.. columns];
    }

    /// <summary>The columns left once the least needed ones are dropped until a row fits in <paramref name="width"/>.</summary>
    private static Column[] Fit(IEnumerable<Column> columns, int width)
    {
        var kept = columns.ToList();
        while (kept.Sum(c => c.Width) + Gap * (kept.Count - 1) > width && kept.Any(c => c.Keep < int.MaxValue))
        {
            kept.Remove(kept.MinBy(c => c.Keep)!);
        }
        return [.. kept];
    }

    private static string Pad(string text, Column column) => column.Left ? text.PadRight(column.Width) : text.PadLeft(column.Width);

    private static string Styled(string text, string? style) =>
        style is null ? Markup.Escape(text) : $"[{style}]{Markup.Escape(text)}[/]";

    private static string Percent(double fraction) => Invariant($"{fraction * 100:F1}%");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
