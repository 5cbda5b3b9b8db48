using System.Text.Json.Nodes;
using Dha.Export;
using Dha.Nas;
using static TorchSharp.torch;

namespace Dha.Tests.Export;

/// <summary>
/// A model folder is checked field by field before any network is built, read with limits, and refused when its
/// weights are not finite; saving one never deletes what is not a model.
/// </summary>
public sealed class ModelBundleSafetyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public ModelBundleSafetyTests()
    {
        _model = Path.Combine(_folder.Path, "model");
        using var bundle = NewBundle();
        bundle.Save(_model);
    }

    public void Dispose() => _folder.Dispose();

    private string ManifestPath => Path.Combine(_model, "model.json");

    private string WeightsPath => Path.Combine(_model, "weights.bin");

    [Fact]
    public void A_valid_model_loads()
    {
        using var loaded = ModelBundle.Load(_model);

        Assert.Equal(["a", "b", "c"], loaded.Manifest.ClassNames);
    }

    [Theory]
    [InlineData("class_names", null, "class_names is missing")]
    [InlineData("genotype", null, "genotype is missing")]
    [InlineData("mean", null, "mean must list 1 finite values")]
    [InlineData("class_names", "[\"a\", null, \"c\"]", "class_names must list at least two names, none null")]
    [InlineData("class_names", "[\"only\"]", "class_names must list at least two names")]
    [InlineData("channels", "0", "channels must be an even number in [2, 1024]")]
    [InlineData("channels", "-4", "channels must be an even number in [2, 1024]")]
    [InlineData("image_size", "0", "image_size must be in [8, 1024]")]
    [InlineData("image_size", "-28", "image_size must be in [8, 1024]")]
    [InlineData("input_channels", "0", "input_channels must be 1 or 3")]
    [InlineData("layers", "0", "layers must be in [3, 100]")]
    [InlineData("layers", "100000", "layers must be in [3, 100]")]
    [InlineData("mean", "[0.5, 0.5, 0.5]", "mean must list 1 finite values")]
    [InlineData("mean", "[\"NaN\"]", "not a valid model manifest")]
    [InlineData("mean", "[1e39]", "mean must list 1 finite values")]
    [InlineData("std", "[0]", "std must list 1 finite positive values")]
    [InlineData("std", "[\"Infinity\"]", "not a valid model manifest")]
    [InlineData("std", "[-1e39]", "std must list 1 finite positive values")]
    [InlineData("genotype", "\"normal=[sep_conv_3x3@99999999999]\"", "genotype:")]
    [InlineData("format_version", "2", "format_version 2 is not supported")]
    public void Every_manifest_field_is_checked_before_a_network_is_built(string field, string? json, string expected)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        if (json is null)
        {
            manifest.Remove(field);
        }
        else
        {
            manifest[field] = JsonNode.Parse(json);
        }
        File.WriteAllText(ManifestPath, manifest.ToJsonString());

        var e = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));

        Assert.Equal($"{ManifestPath}: {expected}", e.Message[..Math.Min(e.Message.Length, ManifestPath.Length + 2 + expected.Length)]);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_manifest_with_a_duplicate_key_is_refused()
    {
        var text = File.ReadAllText(ManifestPath);
        File.WriteAllText(ManifestPath, text.Replace("\"layers\": 3,", "\"layers\": 3, \"layers\": 3,", StringComparison.Ordinal));
        Assert.Contains("\"layers\": 3, \"layers\": 3,", File.ReadAllText(ManifestPath));

        var e = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));

        Assert.StartsWith($"{ManifestPath}: not a valid model manifest", e.Message);
        Assert.Contains("layers", e.Message);
    }

    [Fact]
    public void A_manifest_linked_to_an_endless_device_fails_fast()
    {
        File.Delete(ManifestPath);
        File.CreateSymbolicLink(ManifestPath, "/dev/zero");
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var e = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));

        Assert.Equal($"{ManifestPath}: larger than 1024 KiB; not a file dha reads this way", e.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void Bytes_appended_to_the_weights_are_refused()
    {
        var length = new FileInfo(WeightsPath).Length;
        using (var append = new FileStream(WeightsPath, FileMode.Append))
        {
            append.Write([1, 2, 3]);
        }

        var e = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));

        Assert.Equal($"{WeightsPath}: 3 bytes after the network's weights; not the weights of this model", e.Message);
        Assert.Equal(length + 3, new FileInfo(WeightsPath).Length);
    }

    [Fact]
    public void Truncated_weights_are_refused()
    {
        var bytes = File.ReadAllBytes(WeightsPath);
        File.WriteAllBytes(WeightsPath, bytes[..(bytes.Length - 5)]);

        var e = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));

        Assert.StartsWith($"{WeightsPath}: the weights do not match", e.Message);
    }

    [Fact]
    public void A_model_with_non_finite_weights_is_neither_saved_nor_loaded()
    {
        using var bundle = NewBundle();
        var (name, parameter) = bundle.Network.named_parameters().Last();
        using (no_grad())
        {
            parameter.view(-1)[0] = float.NaN;
        }
        var target = Path.Combine(_folder.Path, "diverged");

        var save = Assert.Throws<InvalidInputException>(() => bundle.Save(target));

        Assert.Contains(name, save.Message);
        Assert.False(Directory.Exists(target));
        // written behind the check's back (as a model of an older version could be): refused when loaded
        using (var stream = File.Create(WeightsPath))
        using (var writer = new BinaryWriter(stream))
        {
            bundle.Network.save(writer);
        }
        var load = Assert.Throws<InvalidInputException>(() => ModelBundle.Load(_model));
        Assert.Equal($"{WeightsPath}: the model's {name} holds NaN or infinite values (its training diverged); refusing to use it", load.Message);
    }

    [Fact]
    public void Saving_over_a_folder_with_other_files_is_refused_and_deletes_nothing()
    {
        var foreign = Path.Combine(_model, "notes.txt");
        File.WriteAllText(foreign, "mine");
        var before = DhaToolContents(_model);
        using var bundle = NewBundle();

        var e = Assert.Throws<InvalidInputException>(() => bundle.Save(_model));

        Assert.Equal($"{_model}: exists and holds files that are not a dha model; not replaced", e.Message);
        Assert.Equal(before, DhaToolContents(_model));
        Assert.Equal("mine", File.ReadAllText(foreign));
        Assert.Empty(Directory.EnumerateDirectories(_folder.Path, "model.*.tmp"));
    }

    [Fact]
    public void Saving_over_a_model_replaces_it()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(ManifestPath))!;
        Assert.Equal("test", (string)manifest["dataset"]!);
        using var bundle = NewBundle("again");

        bundle.Save(_model);

        Assert.Equal("again", (string)JsonNode.Parse(File.ReadAllText(ManifestPath))!["dataset"]!);
        Assert.Equal(["model.json", "weights.bin"], DhaToolContents(_model));
    }

    [Fact]
    public void A_stale_temporary_model_folder_is_removed_only_when_it_holds_only_model_files()
    {
        var ours = Path.Combine(_folder.Path, "model.4242.tmp");
        Directory.CreateDirectory(ours);
        File.WriteAllText(Path.Combine(ours, "weights.bin"), "partial");
        File.WriteAllText(Path.Combine(ours, ".model.json.4242.tmp"), "partial");
        var foreign = Path.Combine(_folder.Path, "model.4343.tmp");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "thesis.tex"), "mine");

        Assert.True(ModelBundle.RemoveTemporary(ours));
        Assert.False(ModelBundle.RemoveTemporary(foreign));

        Assert.False(Directory.Exists(ours));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(foreign, "thesis.tex")));
        Assert.True(ModelBundle.IsTemporaryName("model.4242.tmp", "model"));
        Assert.False(ModelBundle.IsTemporaryName("model.x.tmp", "model"));
        Assert.False(ModelBundle.IsTemporaryName("model..tmp", "model"));
        Assert.False(ModelBundle.IsTemporaryName("models.1.tmp", "model"));
    }

    private static string[] DhaToolContents(string directory) => Cli.DhaTool.Contents(directory);

    private static ModelBundle NewBundle(string dataset = "test")
    {
        var shape = new NetworkShape(1, 8, 4, 3, 3, false);
        var manifest = new ModelManifest(ModelBundle.FormatVersion, Genotype.DartsV2.ToString(), 1, 8, 4, 3, false, [0.5f], [0.25f],
            ["a", "b", "c"], dataset, null);
        return new ModelBundle(new FixedNetwork(shape, Genotype.DartsV2), manifest);
    }
}
