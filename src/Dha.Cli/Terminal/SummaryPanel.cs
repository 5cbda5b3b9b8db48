using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Dha.Cli.Terminal;

/// <summary>The panel that closes a run: accuracy, η and λ, the policy's top pairs, size, architecture, time and where the model is.</summary>
internal static class SummaryPanel
{
    public static IRenderable Render(RunSummary s)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Add(string label, string value) => grid.AddRow(new Markup($"[grey]{Markup.Escape(label)}[/]"), new Markup(value));

        Add("test accuracy", $"[bold green]{Invariant($"{s.TestAccuracy * 100:F2}%")}[/] on {Invariant($"{s.TestImages:N0}")} test images");
        if (s.Top5Accuracy is { } top5)
        {
            Add("top-5 accuracy", Invariant($"{top5 * 100:F2}%"));
        }
        Add("η, λ", Invariant($"{s.LearningRate:G4}, {s.WeightDecay:G4}"));
        if (s.TopPairs.Count > 0)
        {
            Add("policy", Markup.Escape(string.Join(", ", s.TopPairs.Select(p => Invariant($"{p.Pair} {p.P * 100:F1}%")))));
        }
        Add("parameters", Invariant($"{s.Parameters:N0}"));
        Add("architecture", Markup.Escape(s.Genotype));
        var epochs = s.SearchEpochs is { } searched
            ? Invariant($"{s.Epochs} epochs: {searched} searching (cap {s.SearchEpochCap}), {s.Epochs - searched} training")
            : Invariant($"{s.Epochs} epochs");
        Add("time", $"{ShortDuration.Format(TimeSpan.FromSeconds(s.WallSeconds))}, {epochs}");
        Add("model", Markup.Escape(s.ModelDirectory));
        return new Panel(grid)
            .Header($"[bold]{Markup.Escape(s.Command)}: done[/]")
            .Border(BoxBorder.Rounded);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
