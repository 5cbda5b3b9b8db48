using Dha.Export;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Export;

/// <summary>Changes torch's thread count for a moment, so it runs alone (a run in parallel would see the change).</summary>
[Collection("EndToEnd")]
public sealed class ModelBundleTests
{
    [Fact]
    public void Loading_a_model_leaves_the_callers_torch_thread_count_alone()
    {
        using var folder = new TempFolder();
        var directory = Path.Combine(folder.Path, "model");
        var shape = new NetworkShape(1, 8, 4, 3, 3, false);
        var manifest = new ModelManifest(ModelBundle.FormatVersion, Genotype.DartsV2.ToString(), 1, 8, 4, 3, false, [0.5f], [0.25f],
            ["a", "b", "c"], "test", null);
        using (var bundle = new ModelBundle(new FixedNetwork(shape, Genotype.DartsV2), manifest))
        {
            bundle.Save(directory);
        }
        var previous = get_num_threads();
        // a count no default picks (not one per core), so a load that resets it cannot pass by chance
        var chosen = Environment.ProcessorCount + 1;
        set_num_threads(chosen);
        try
        {
            using var loaded = ModelBundle.Load(directory);

            Assert.Equal(chosen, get_num_threads());
            Assert.Equal(Genotype.DartsV2.ToString(), loaded.Manifest.Genotype);
        }
        finally
        {
            set_num_threads(previous);
        }
    }
}
