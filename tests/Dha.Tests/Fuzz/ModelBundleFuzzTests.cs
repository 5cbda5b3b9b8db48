using Dha.Export;
using Dha.Nas;

namespace Dha.Tests.Fuzz;

/// <summary>
/// A saved model (model.json + weights.bin) damaged one file at a time must load or be refused with one line. In the
/// end-to-end lane: a damaged input that passes the manifest's checks builds a network, ~10 ms a case.
/// </summary>
[EndToEnd]
public sealed class ModelBundleFuzzTests
{
    [Fact]
    public void Damaged_models_are_loaded_or_refused_with_one_line()
    {
        using var folder = new TempFolder();
        var shape = new NetworkShape(1, 8, 4, 3, 3, false);
        var manifest = new ModelManifest(ModelBundle.FormatVersion, Genotype.DartsV2.ToString(), 1, 8, 4, 3, false, [0.5f], [0.25f],
            ["a", "b", "c"], "fuzz", null);
        using (var bundle = new ModelBundle(new FixedNetwork(shape, Genotype.DartsV2), manifest))
        {
            bundle.Save(folder.Path);
        }
        FuzzFile Valid(string name) => new(name, File.ReadAllBytes(Path.Combine(folder.Path, name)));

        var outcome = Fuzzer.Run(seed: 12013, [Valid("model.json"), Valid("weights.bin")], input =>
        {
            using var loaded = ModelBundle.Load(input);
        });

        Assert.True(outcome.Accepted > 0, "no damaged model loaded: every case was refused before the network was built");
    }
}
