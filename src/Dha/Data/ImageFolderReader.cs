using SkiaSharp;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Reads a dataset laid out as <c>ROOT/train/&lt;class&gt;/*.png|jpg|jpeg|bmp</c> and <c>ROOT/test/&lt;class&gt;/…</c>,
/// the layout most image collections (Flowers-102, one's own photos) can be put in. Images of any size are brought
/// to one square size the way ImageNet pipelines evaluate: shorter side scaled to the target, then the centre crop.
/// Class names are the folder names in ordinal order (so labels do not depend on the file system's listing order).
/// Kept RGB unless every image of both splits is grey, then one channel.
/// </summary>
internal static class ImageFolderReader
{
    internal const int DefaultImageSize = 224;

    private static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <summary>True when <paramref name="folder"/> looks like an image-folder dataset (it has a train/ folder).</summary>
    public static bool Recognises(string folder) => Directory.Exists(Path.Combine(folder, "train"));

    /// <param name="root">The folder holding train/ and test/.</param>
    /// <param name="imageSize">The square side images are brought to; 0 = <see cref="DefaultImageSize"/>.</param>
    public static LoadedDataset Load(string root, int imageSize)
    {
        if (imageSize < 0)
        {
            throw new InvalidInputException($"image size {imageSize}: must be positive (or 0 for the default {DefaultImageSize})");
        }
        var size = imageSize == 0 ? DefaultImageSize : imageSize;
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new InvalidInputException($"{full}: no such folder");
        }
        var trainFolder = Path.Combine(full, "train");
        var testFolder = Path.Combine(full, "test");
        if (!Directory.Exists(trainFolder))
        {
            throw new InvalidInputException($"{full}: no train/ folder (an image folder dataset is ROOT/train/<class>/ and ROOT/test/<class>/)");
        }
        if (!Directory.Exists(testFolder))
        {
            throw new InvalidInputException($"{full}: no test/ folder (an image folder dataset is ROOT/train/<class>/ and ROOT/test/<class>/)");
        }
        var classes = ClassFolders(trainFolder);
        var testClasses = ClassFolders(testFolder);
        if (!classes.SequenceEqual(testClasses, StringComparer.Ordinal))
        {
            var missing = classes.Except(testClasses, StringComparer.Ordinal).ToArray();
            var extra = testClasses.Except(classes, StringComparer.Ordinal).ToArray();
            throw new InvalidInputException(
                $"{testFolder}: test classes do not match the training classes ({Describe("missing", missing)}{(missing.Length > 0 && extra.Length > 0 ? "; " : "")}{Describe("not in train/", extra)})");
        }
        var trainFiles = ListImages(trainFolder, classes);
        var testFiles = ListImages(testFolder, classes);

        using var scope = NewDisposeScope();
        var (trainImages, trainGrey) = Decode(trainFiles, size);
        var (testImages, testGrey) = Decode(testFiles, size);
        if (trainGrey && testGrey)
        {
            trainImages = trainImages.narrow(1, 0, 1).contiguous();
            testImages = testImages.narrow(1, 0, 1).contiguous();
        }
        var train = new ImageDataset(trainImages, Labels(trainFiles), classes);
        try
        {
            var test = new ImageDataset(testImages, Labels(testFiles), classes);
            return new LoadedDataset(train, test, "image-folder", full);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static string Describe(string what, string[] names) =>
        names.Length == 0 ? "" : $"{what}: {string.Join(", ", names)}";

    private static string[] ClassFolders(string split)
    {
        var classes = Directory.GetDirectories(split)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(name => !name.StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (classes.Length == 0)
        {
            throw new InvalidInputException($"{split}: no class folders (expected {Path.GetFileName(split)}/<class>/<images>)");
        }
        return classes;
    }

    private static List<(string Path, int Label)> ListImages(string split, string[] classes)
    {
        var files = new List<(string, int)>();
        for (var label = 0; label < classes.Length; label++)
        {
            var folder = Path.Combine(split, classes[label]);
            var images = Directory.GetFiles(folder)
                .Where(file => Extensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase)
                    && !Path.GetFileName(file).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (images.Length == 0)
            {
                throw new InvalidInputException($"{folder}: empty class folder (no {string.Join(", ", Extensions)} images)");
            }
            files.AddRange(images.Select(file => (file, label)));
        }
        return files;
    }

    private static Tensor Labels(List<(string Path, int Label)> files) =>
        tensor(files.Select(file => (long)file.Label).ToArray(), ScalarType.Int64);

    /// <summary>Decodes every file into uint8 [N, 3, size, size]; also tells whether every image was grey.</summary>
    private static (Tensor Images, bool Grey) Decode(List<(string Path, int Label)> files, int size)
    {
        var images = zeros([files.Count, 3, size, size], ScalarType.Byte);
        var grey = true;
        var rgba = new byte[size * size * 4];
        for (var i = 0; i < files.Count; i++)
        {
            DecodeSquare(files[i].Path, size, rgba);
            using var scope = NewDisposeScope();
            var pixels = tensor(rgba, [size, size, 4], ScalarType.Byte);
            var rgb = pixels.narrow(2, 0, 3).permute(2, 0, 1);
            images[i].copy_(rgb);
            grey = grey && rgb[0].equal(rgb[1]).all().item<bool>() && rgb[1].equal(rgb[2]).all().item<bool>();
        }
        return (images, grey);
    }

    /// <summary>
    /// One image file as uint8 [3, size, size], brought to size as the dataset images are (for prediction).
    /// </summary>
    public static Tensor ReadImage(string file, int size)
    {
        var rgba = new byte[size * size * 4];
        DecodeSquare(file, size, rgba);
        using var scope = NewDisposeScope();
        return tensor(rgba, [size, size, 4], ScalarType.Byte).narrow(2, 0, 3).permute(2, 0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Decodes one file, scales its shorter side to <paramref name="size"/>, crops the centre, writes RGBA.</summary>
    private static void DecodeSquare(string file, int size, byte[] rgba)
    {
        using var codec = SKCodec.Create(file)
            ?? throw new InvalidInputException($"{file}: not a decodable image (not PNG, JPEG or BMP, or damaged)");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidInputException($"{file}: image has no pixels");
        }
        using var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            throw new InvalidInputException($"{file}: the image does not decode ({result})");
        }
        using var image = SKImage.FromBitmap(decoded);
        using var square = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(square))
        {
            canvas.Clear(SKColors.Black);
            var side = Math.Min(info.Width, info.Height);
            var source = SKRect.Create((info.Width - side) / 2f, (info.Height - side) / 2f, side, side);
            canvas.DrawImage(image, source, SKRect.Create(0, 0, size, size), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }
        square.GetPixelSpan().CopyTo(rgba);
    }
}
