using Spectre.Console;
using Spectre.Console.Rendering;

namespace Dha.Cli.Terminal;

/// <summary>
/// The bar's remaining-time column, from <see cref="RunEta"/>: Spectre's own column divides by the task's recent speed,
/// which after a resume or a phase change measures the wrong steps.
/// </summary>
internal sealed class EtaColumn(RunEta eta) : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(eta.Remaining is { } remaining ? $"ETA {ShortDuration.Format(remaining)}" : "ETA --", new Style(Color.Grey));
}
