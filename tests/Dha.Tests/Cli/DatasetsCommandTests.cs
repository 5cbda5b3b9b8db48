using Dha.Cli;
using Dha.Tests.Data;

namespace Dha.Tests.Cli;

public class DatasetsCommandTests
{
    private static (int ExitCode, string[] Output, string[] Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = Program.Run(args, output, error);
        return (exitCode, Lines(output), Lines(error));
    }

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();

    [Fact]
    public void Inspect_without_a_path_reports_the_shipped_fashion_mnist_subset()
    {
        var (exitCode, output, error) = Run("datasets", "inspect");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Equal("Format      idx", output[0]);
        Assert.EndsWith(Path.Combine("data", "fashion-mnist-small"), output[1]);
        Assert.Equal("Train       10,000 images", output[2]);
        Assert.Equal("Test        2,000 images", output[3]);
        Assert.Equal("Classes     10", output[4]);
        Assert.Equal("Image size  1x28x28 (channels x height x width)", output[5]);
        Assert.Equal("Size rule   28x28: the fixed size of the idx format", output[6]);
        Assert.Equal("Split       the dataset's own test split", output[7]);
        Assert.Matches(@"^Mean        0\.\d{4} \(training set, per channel, pixel/255\)$", output[8]);
        Assert.Matches(@"^Std         0\.\d{4}$", output[9]);
        Assert.Contains(output, line => line.Contains("T-shirt/top") && line.Contains("942") && line.Contains("200"));
        Assert.Contains(output, line => line.Contains("Ankle boot"));
        Assert.Contains(output, line => System.Text.RegularExpressions.Regex.IsMatch(line, @"Total\s*│\s*10,000\s*│\s*2,000"));
    }

    [Fact]
    public void Inspect_json_is_one_document_on_stdout_with_the_values_of_the_text_output()
    {
        var (_, text, _) = Run("datasets", "inspect");
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = Program.Run(["datasets", "inspect", "--json"], output, error);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(output.ToString());
        var json = document.RootElement;
        Assert.Equal(text[0], $"Format      {json.GetProperty("format").GetString()}");
        Assert.Equal(text[1], $"Path        {json.GetProperty("path").GetString()}");
        Assert.Equal(text[2], string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Train       {json.GetProperty("train_images").GetInt32():N0} images"));
        Assert.Equal(text[3], string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Test        {json.GetProperty("test_images").GetInt32():N0} images"));
        Assert.Equal(text[4], $"Classes     {json.GetProperty("classes").GetInt32()}");
        Assert.Equal(text[5], $"Image size  {json.GetProperty("channels").GetInt32()}x{json.GetProperty("height").GetInt32()}x{json.GetProperty("width").GetInt32()} (channels x height x width)");
        Assert.Equal(text[6], $"Size rule   {json.GetProperty("size_rule").GetString()}");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("split").ValueKind);
        Assert.StartsWith($"Mean        {json.GetProperty("mean")[0].GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture)} ", text[8]);
        Assert.Equal($"Std         {json.GetProperty("std")[0].GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}", text[9]);
        var perClass = json.GetProperty("per_class").EnumerateArray().ToArray();
        Assert.Equal(10, perClass.Length);
        Assert.Equal(10_000, perClass.Sum(c => c.GetProperty("train").GetInt64()));
        Assert.Equal(2_000, perClass.Sum(c => c.GetProperty("test").GetInt64()));
        foreach (var c in perClass)
        {
            var row = System.Text.RegularExpressions.Regex.Replace(
                $"│ {c.GetProperty("label").GetInt32()} │ {c.GetProperty("name").GetString()} │ {c.GetProperty("train").GetInt64()} │ {c.GetProperty("test").GetInt64()} │", @"\s+", " ");
            Assert.Contains(text, line => System.Text.RegularExpressions.Regex.Replace(line.Replace(",", "", StringComparison.Ordinal), @"\s+", " ").Trim() == row);
        }
    }

    [Fact]
    public void Inspect_reports_a_cifar_archive_with_its_three_channels()
    {
        using var files = new DatasetFiles();
        var archive = files.WriteTarGz("cifar-10-binary.tar.gz", "cifar-10-batches-bin", DatasetFiles.Cifar10Files([[0, 1], [2], [3], [4], [5]], [9]));

        var (exitCode, output, _) = Run("datasets", "inspect", archive);

        Assert.Equal(0, exitCode);
        Assert.Equal("Format      cifar-10", output[0]);
        Assert.Equal($"Path        {archive}", output[1]);
        Assert.Equal("Train       6 images", output[2]);
        Assert.Equal("Image size  3x32x32 (channels x height x width)", output[5]);
        Assert.Equal(3, output[9].Split(',').Length);
    }

    [Fact]
    public void Inspect_says_why_an_image_folder_has_its_size_and_how_it_was_split()
    {
        using var files = new DatasetFiles();
        for (var i = 0; i < 5; i++)
        {
            files.WriteImage($"a/{i}.png", 12, 12, (_, _) => (1, 2, 3));
            files.WriteImage($"b/{i}.png", 12, 12, (_, _) => (4, 5, 6));
        }

        var (exitCode, output, _) = Run("datasets", "inspect", files.Root);

        Assert.Equal(0, exitCode);
        Assert.Equal("Format      image-folder-unsplit", output[0]);
        Assert.Equal("Train       8 images", output[2]);
        Assert.Equal("Image size  3x12x12 (channels x height x width)", output[5]);
        Assert.Equal("Size rule   12x12: every image is 12x12", output[6]);
        // the split a default search would make: seeded by the default seed
        Assert.Equal($"Split       seeded stratified: seed {new Dha.Search.SearchOptions().Seed}, test fraction 0.2", output[7]);
    }

    [Fact]
    public void A_missing_path_gives_exit_code_2_and_one_stderr_line()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"dha-missing-{Guid.NewGuid():N}");

        var (exitCode, output, error) = Run("datasets", "inspect", missing);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal([$"dha: {missing}: no such file or folder"], error);
    }

    [Fact]
    public void A_malformed_file_gives_exit_code_2_and_one_stderr_line_naming_it()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: false);
        files.Write("t10k-images-idx3-ubyte", DatasetFiles.IdxImages(new byte[6], 1, 3, 2, magic: 2049));

        var (exitCode, _, error) = Run("datasets", "inspect", files.Root);

        Assert.Equal(2, exitCode);
        Assert.Equal([$"dha: {files.PathOf("t10k-images-idx3-ubyte")}: wrong magic number 2049 (expected 2051 for idx images (idx3))"], error);
    }

    [Theory]
    [InlineData("datasets", "inspect", "--bogus")]
    [InlineData("datasets")]
    [InlineData("no-such-command")]
    [InlineData("datasets", "inspect", "--image-size", "large")]
    public void Command_line_mistakes_give_exit_code_2_and_dha_prefixed_errors(params string[] args)
    {
        var (exitCode, output, error) = Run(args);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.NotEmpty(error);
        Assert.All(error, line => Assert.StartsWith("dha: ", line));
    }

    [Fact]
    public void Help_lists_the_datasets_command_and_exits_0()
    {
        var (exitCode, output, error) = Run("--help");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains(output, line => line.TrimStart().StartsWith("datasets", StringComparison.Ordinal));
    }
}
