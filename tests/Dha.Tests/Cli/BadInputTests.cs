using Dha.Export;
using Dha.Nas;

namespace Dha.Tests.Cli;

/// <summary>
/// Every anticipated mistake ends the same way: exit code 2, one <c>dha: …</c> line on stderr naming the option or
/// file, nothing on stdout, no stack trace, and nothing written (no half-made run folder, here or under runs/).
/// Each command runs from an empty working directory that must still be empty afterwards.
/// </summary>
[Collection("EndToEnd")]
public sealed class BadInputTests : IDisposable
{
    private const string GenotypeText =
        "normal=[sep_conv_3x3@0 skip_connect@1 | sep_conv_3x3@0 max_pool_3x3@2 | dil_conv_3x3@1 skip_connect@0 | avg_pool_3x3@3 sep_conv_5x5@2] " +
        "reduce=[max_pool_3x3@0 sep_conv_3x3@1 | dil_conv_5x5@2 max_pool_3x3@0 | skip_connect@2 sep_conv_3x3@1 | avg_pool_3x3@0 dil_conv_3x3@4]";

    private readonly TempFolder _folder = new();
    private readonly string _cwd;
    private readonly string _data;

    public BadInputTests()
    {
        _cwd = Directory.CreateDirectory(Path.Combine(_folder.Path, "cwd")).FullName;
        _data = TinyData.Create(Path.Combine(_folder.Path, "data"), 64, 32);
    }

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("dha: --preset nope: unknown preset", "--preset", "nope")]
    [InlineData("dha: --mode enas: not a mode; use one of dha, nas, nas+da, nas+hpo, ista-two-stage, ista-two-stage+da, ista-two-stage+hpo, ista-two-stage+da+hpo, darts", "--mode", "enas")]
    [InlineData("dha: --set train.no_such_key: unknown key", "--set", "train.no_such_key=1")]
    [InlineData("dha: --set nothing.here: unknown key 'nothing'", "--set", "nothing.here=1")]
    [InlineData("dha: --set train.search_epochs: expected key=value", "--set", "train.search_epochs")]
    [InlineData("dha: --set: wrong value at network.channels", "--set", "network.channels=four")]
    [InlineData("dha: --set train.search_epochs=0: must be >= 1", "--set", "train.search_epochs=0")]
    [InlineData("dha: --set network.channels=3: must be an even number in [2, 1024]", "--set", "threads=1", "--set", "network.channels=3")]
    [InlineData("dha: --set mode=enas: 'enas' is not a mode", "--set", "mode=enas")]
    [InlineData("dha: --config missing.json: file not found", "--config", "missing.json")]
    [InlineData("dha: {cwd}/no-such-data: no such file or folder", "--data", "no-such-data")]
    [InlineData("dha: {cwd}/no-such-data: no such file or folder", "--data", "{cwd}/no-such-data", "--out", "run")]
    [InlineData("dha: --out {data}/t10k-labels-idx1-ubyte.gz: is a file; the run needs a folder", "--data", "{data}", "--out", "{data}/t10k-labels-idx1-ubyte.gz")]
    [InlineData("dha: --resume {data}: no run to resume here", "--resume", "{data}")]
    [InlineData("dha: --resume {cwd}/gone: folder not found", "--resume", "{cwd}/gone")]
    [InlineData("dha: --resume: continues a run with its saved config; do not combine it with --data, --mode", "--resume", "{data}", "--mode", "nas")]
    [InlineData("dha: --seed many: not a whole number", "--seed", "many")]
    [InlineData("dha: --seed -1: must be >= 0", "--seed", "-1")]
    [InlineData("dha: --time 4: expected a positive duration with a unit, e.g. 90s, 4m or 1h", "--time", "4")]
    [InlineData("dha: --set train.search_epochs=3: ignored while train.steps (785) sizes the run", "--set", "train.search_epochs=3")]
    [InlineData("dha: --set architecture.weight_decay=-1: must be finite and >= 0", "--set", "architecture.weight_decay=-1")]
    [InlineData("dha: --set architecture.lasso_alpha=NaN: must be finite and >= 0", "--set", "architecture.lasso_alpha=NaN")]
    [InlineData("dha: --set architecture.projection_dims=0: must be in [1, 98]", "--set", "architecture.projection_dims=0")]
    [InlineData("dha: --set da.temperature=Infinity: must be finite and > 0", "--set", "da.temperature=Infinity")]
    [InlineData("dha: --set train.learning_rate=1e308: must be in (0, 10]", "--set", "train.learning_rate=1e308")]
    [InlineData("dha: --set network.channels=1000000: must be an even number in [2, 1024]", "--set", "network.channels=1000000")]
    [InlineData("dha: --set network.layers=1000: must be in [3, 100]", "--set", "network.layers=1000")]
    [InlineData("dha: --set threads=100000: must be in [0, 256]", "--set", "threads=100000")]
    [InlineData("dha: --set data.image_size=2: must be 0 (the images' own size) or in [8, 1024]", "--set", "data.image_size=2")]
    [InlineData("dha: network.channels=1024, network.layers=100, data.batch_size=64: training the search network on 28x28 images needs at least",
        "--data", "{data}", "--set", "network.channels=1024", "--set", "network.layers=100")]
    public void A_bad_search_option_gives_exit_2_one_line_naming_it_and_no_run_folder(string expected, params string[] options)
    {
        // without --out the run would go to runs/<time>-<mode> in the working directory: it must not appear
        var result = DhaTool.RunIn(_cwd, ["search", .. options.Select(Fill)]);

        AssertRefused(result, Fill(expected));
    }

    [Fact]
    public void A_config_file_with_a_duplicate_key_is_refused_naming_the_file_and_key()
    {
        var config = Path.Combine(_folder.Path, "dup.json");
        File.WriteAllText(config, "{\"network\": {\"channels\": 8, \"channels\": 16}}");

        var result = DhaTool.RunIn(_cwd, "search", "--config", config);

        AssertRefused(result, $"dha: {config}: not valid JSON");
        Assert.Contains("channels", result.Error);
    }

    [Fact]
    public void Evaluate_on_a_folder_that_is_not_a_model_is_refused()
    {
        var result = DhaTool.RunIn(_cwd, "evaluate", _data, "--data", _data);

        AssertRefused(result, $"dha: {_data}: not a dha model folder (needs model.json and weights.bin)");
    }

    [Fact]
    public void Evaluate_on_a_missing_folder_is_refused()
    {
        var result = DhaTool.RunIn(_cwd, "evaluate", "no-model", "--data", _data);

        AssertRefused(result, "dha: no-model: model folder not found");
    }

    [Fact]
    public void Predict_on_a_missing_image_is_refused_before_anything_is_printed()
    {
        var model = SaveUntrainedModel();
        IdxFiles.WritePng(Path.Combine(_folder.Path, "real.png"), IdxFiles.Image(_data, "t10k-images-idx3-ubyte.gz", 0));

        var result = DhaTool.RunIn(_cwd, "predict", model, Path.Combine(_folder.Path, "real.png"), "missing.png");

        AssertRefused(result, "dha: missing.png: image file not found");
    }

    [Fact]
    public void Predict_on_a_file_that_is_not_an_image_is_refused()
    {
        var model = SaveUntrainedModel();
        var notes = Path.Combine(_folder.Path, "notes.png");
        File.WriteAllText(notes, "this is text with a picture's name");

        var result = DhaTool.RunIn(_cwd, "predict", model, notes);

        AssertRefused(result, $"dha: {notes}: not a decodable image");
    }

    [Fact]
    public void Predict_with_a_folder_that_is_not_a_model_is_refused()
    {
        IdxFiles.WritePng(Path.Combine(_folder.Path, "real.png"), IdxFiles.Image(_data, "t10k-images-idx3-ubyte.gz", 0));

        var result = DhaTool.RunIn(_cwd, "predict", _data, Path.Combine(_folder.Path, "real.png"));

        AssertRefused(result, $"dha: {_data}: not a dha model folder");
    }

    private string Fill(string text) => text.Replace("{cwd}", _cwd).Replace("{data}", _data);

    private void AssertRefused(CliResult result, string expectedStart)
    {
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith(expectedStart, line);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
        Assert.Empty(DhaTool.Contents(_cwd));
    }

    /// <summary>A valid model folder without any training: enough for the checks that come before the network runs.</summary>
    private string SaveUntrainedModel()
    {
        var directory = Path.Combine(_folder.Path, "model");
        var shape = new NetworkShape(1, 28, 4, 3, 10, false);
        var manifest = new ModelManifest(ModelBundle.FormatVersion, GenotypeText, 1, 28, 4, 3, false, [0.5f], [0.25f],
            [.. Enumerable.Range(0, 10).Select(i => $"class {i}")], _data, null);
        using var bundle = new ModelBundle(new FixedNetwork(shape, Genotype.Parse(GenotypeText)), manifest);
        bundle.Save(directory);
        return directory;
    }
}
