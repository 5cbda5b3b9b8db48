using Dha.Export;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Export;

/// <summary>A deployed model's <c>weights.bin</c> carries no auxiliary head, and loads into a network without one.</summary>
public sealed class LeanModelFileTests
{
    private static readonly NetworkShape Shape = new(1, 28, 4, 3, 10, Auxiliary: true);

    [Fact]
    public void A_model_saved_without_the_auxiliary_head_is_smaller_by_the_heads_weights_and_computes_the_same_logits()
    {
        using var folder = new TempFolder();
        using var bundle = new ModelBundle(new FixedNetwork(Shape, Genotype.DartsV2), Manifest(auxiliary: false));
        bundle.Network.eval();
        var headParameters = bundle.Network.parameters().Sum(p => p.numel()) - bundle.Network.ParameterCount();
        var lean = Path.Combine(folder.Path, "lean");
        var full = Path.Combine(folder.Path, "full");

        bundle.Save(lean);
        new ModelBundle(bundle.Network, Manifest(auxiliary: true)).Save(full);

        var saved = new FileInfo(Path.Combine(full, "weights.bin")).Length - new FileInfo(Path.Combine(lean, "weights.bin")).Length;
        Assert.True(saved >= 4 * headParameters, $"{saved} bytes saved, the head has {headParameters} float parameters");
        using var loaded = ModelBundle.Load(lean);
        Assert.False(loaded.Manifest.Auxiliary);
        Assert.DoesNotContain(loaded.Network.state_dict().Keys, key => key.StartsWith("auxHead", StringComparison.Ordinal));
        Assert.Equal(bundle.Network.ParameterCount(), loaded.Network.parameters().Sum(p => p.numel()));
        using var images = rand(4, 1, 28, 28);
        using var noGrad = no_grad();
        using var expected = bundle.Network.forward(images).Logits;
        using var actual = loaded.Network.forward(images).Logits;
        Assert.Equal(expected.data<float>().ToArray(), actual.data<float>().ToArray());
    }

    [Fact]
    public void A_model_saved_with_its_auxiliary_head_still_loads()
    {
        using var folder = new TempFolder();
        var directory = Path.Combine(folder.Path, "model");
        using (var bundle = new ModelBundle(new FixedNetwork(Shape, Genotype.DartsV2), Manifest(auxiliary: true)))
        {
            bundle.Save(directory);
        }

        using var loaded = ModelBundle.Load(directory);

        Assert.Contains(loaded.Network.state_dict().Keys, key => key.StartsWith("auxHead", StringComparison.Ordinal));
    }

    private static ModelManifest Manifest(bool auxiliary) =>
        new(ModelBundle.FormatVersion, Genotype.DartsV2.ToString(), 1, 28, 4, 3, auxiliary, [0.3f], [0.35f],
            [.. Enumerable.Range(0, 10).Select(c => $"c{c}")], "test", null);
}
