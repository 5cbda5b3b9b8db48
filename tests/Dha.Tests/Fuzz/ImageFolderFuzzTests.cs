using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Fuzz;

public class ImageFolderFuzzTests
{
    /// <summary>Small PNG and BMP files in the layout of an image folder dataset (BMP has no checksum, so its header fields are damaged too).</summary>
    internal static FuzzFile[] Images(params string[] names)
    {
        using var files = new DatasetFiles();
        foreach (var name in names)
        {
            var shade = (byte)(name.Length * 37);
            if (name.EndsWith(".bmp", StringComparison.Ordinal))
            {
                files.WriteBmp(name, 5, 4, (y, x) => ((byte)(x * 40), shade, (byte)(y * 50)));
            }
            else
            {
                files.WriteImage(name, 4, 5, (y, x) => (shade, (byte)(x * 60), (byte)(y * 40)));
            }
        }
        return [.. names.Select(name => new FuzzFile(name, File.ReadAllBytes(files.PathOf(name))))];
    }

    [Fact]
    public void Damaged_images_are_read_or_refused_with_one_line_naming_the_file()
    {
        var files = Images("train/cat/a.png", "train/dog/b.bmp", "test/cat/c.png", "test/dog/d.png");
        Fuzzer.Run(seed: 12006, files, folder =>
        {
            try
            {
                using var loaded = ImageFolderReader.Load(folder, imageSize: 0);
            }
            catch (InvalidInputException e) when (!e.Message.StartsWith(folder, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the line does not name the file: {e.Message}");
            }
        });
    }
}
