using System.Globalization;
using Dha.Cli.Terminal;
using Spectre.Console.Testing;

namespace Dha.Tests.Cli.Terminal;

/// <summary>What a run prints on a console of fixed width, from recorded observer events (<see cref="RecordedRun"/>).</summary>
public sealed class ProgressObserverTests
{
    private static string[] Replay(int width, bool allFreeze = false, bool verbose = false)
    {
        var console = new TestConsole().Width(width);
        var run = new RecordedRun(allFreeze);
        run.Replay(new ProgressObserver(console, "runs/x", "dha search", verbose, new RunEta(run.Clock)));
        return Lines(console);
    }

    internal static string[] Lines(TestConsole console) =>
        [.. console.Output.Split('\n').Select(line => line.TrimEnd('\r', ' ')).Where(line => line.Length > 0)];

    private static string Percent(double fraction) => (fraction * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    /// <summary>The cells of the table row of epoch <paramref name="epoch"/> (counted from 1) of <paramref name="epochs"/>.</summary>
    private static string[] Row(string[] lines, int epoch, int epochs) =>
        Assert.Single(lines, line => line.TrimStart().StartsWith($"{epoch}/{epochs} ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void At_80_columns_every_line_fits_and_each_epoch_row_holds_its_values()
    {
        var lines = Replay(80);

        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} columns: {line}"));
        Assert.Equal("dha search → runs/x", lines[0]);
        var header = Assert.Single(lines, line => line.StartsWith("epoch ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["epoch", "phase"], header[..2]);
        Assert.Contains("val_acc", header);
        for (var epoch = 0; epoch < 4; epoch++)
        {
            var cells = Row(lines, epoch + 1, 4);
            Assert.Equal(header.Length, cells.Length);
            Assert.Equal(epoch < 2 ? "search" : "train", cells[1]);
            Assert.Equal(Percent(RecordedRun.Validation(epoch)), cells[Array.IndexOf(header, "val_acc")]);
            Assert.Equal(RecordedRun.Seconds(epoch).ToString("F1", CultureInfo.InvariantCulture) + "s", cells[Array.IndexOf(header, "time")]);
            Assert.Equal(epoch == 0 ? "0/8" : "1/8", cells[Array.IndexOf(header, "frozen")]);
        }
        // the last row's remaining time is nothing left
        Assert.Equal("0s", Row(lines, 4, 4)[Array.IndexOf(header, "ETA")]);
    }

    [Fact]
    public void A_wide_console_shows_every_column()
    {
        var lines = Replay(200);

        var header = Assert.Single(lines, line => line.StartsWith("epoch ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["epoch", "phase", "loss", "acc", "val_loss", "val_acc", "η", "λ", "H(p)", "frozen", "time", "ETA"], header);
        var cells = Row(lines, 2, 4);
        Assert.Equal("1.100", cells[2]);
        Assert.Equal(Percent(0.5), cells[3]);
        Assert.Equal("1.000", cells[4]);
        Assert.Equal(RecordedRun.LearningRate(1).ToString("0.0e+00", CultureInfo.InvariantCulture), cells[6]);
        Assert.Equal("3.0e-04", cells[7]);
        Assert.Equal("4.21", cells[8]);
    }

    [Fact]
    public void A_frozen_node_and_the_search_reaching_its_cap_are_each_announced_with_the_reason()
    {
        var lines = Replay(80);

        Assert.Contains("node 2 of the normal cell froze as epoch 2 began", lines);
        var end = Assert.Single(lines, line => line.StartsWith("search ended", StringComparison.Ordinal));
        Assert.Equal("search ended at its cap of 2 epochs with 1/8 nodes frozen", end);
        Assert.Contains("training the fixed architecture for 2 epochs (phase B)", lines);
        // announced between the last search row and the first training row
        Assert.True(Array.IndexOf(lines, end) > Array.FindIndex(lines, line => line.TrimStart().StartsWith("2/4 ", StringComparison.Ordinal)));
        Assert.True(Array.IndexOf(lines, end) < Array.FindIndex(lines, line => line.TrimStart().StartsWith("3/4 ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_search_whose_nodes_all_froze_says_so_and_where_its_unused_epochs_go()
    {
        var lines = Replay(80, allFreeze: true);

        Assert.Equal(8, lines.Count(line => line.Contains(" cell froze as epoch 2 began", StringComparison.Ordinal)));
        Assert.Contains("search ended after 2 of at most 3 epochs: every node froze (8/8)", lines);
        Assert.Contains("training the fixed architecture for 3 epochs (phase B)", lines);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
    }

    [Fact]
    public void Verbose_adds_the_architecture_the_data_wait_and_accepted_recoveries()
    {
        // wide enough that the architecture is one line
        var plain = Replay(4096);
        var lines = Replay(4096, verbose: true);

        Assert.DoesNotContain(plain, line => line.Contains("architecture normal=", StringComparison.Ordinal));
        Assert.DoesNotContain(plain, line => line.Contains("waiting for data", StringComparison.Ordinal));
        Assert.Equal(4, lines.Count(line => line == $"  architecture {RecordedRun.Genotype}"));
        // 0.2 s of waiting in each 0.8 s step
        Assert.Equal(4, lines.Count(line => line == "  waiting for data 25% of the step time"));
        Assert.Contains("  recovery after epoch 1: accepted, 1/8 frozen, 0.12 M parameters", lines);
    }
}
