using SkiaSharp;
using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Reads image files (PNG, JPEG, BMP) into a dataset, from the folder layouts image collections come in:
/// <c>ROOT/train/&lt;class&gt;/</c> + <c>ROOT/test/&lt;class&gt;/</c> (Sport8, MIT67, Flowers-102),
/// <c>ROOT/train/</c> + <c>ROOT/val/</c> with no test/ (val is the test split), or <c>ROOT/&lt;class&gt;/</c> with no
/// split at all (a seeded <see cref="StratifiedSplit"/> makes one); a CSV list comes through <see cref="LoadFiles"/>.
/// Images are brought to one square side (<see cref="ImageSide"/>: the data's own size unless asked otherwise) the
/// way ImageNet pipelines evaluate: shorter side scaled to the target, then the centre crop. Class names are the
/// folder names in ordinal order (so labels do not depend on the file system's listing order). Kept RGB unless every
/// image of both splits is grey, then one channel.
/// </summary>
internal static class ImageFolderReader
{
    internal static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp"];

    /// <param name="root">The folder holding train/ and test/ (or val/), or one folder per class.</param>
    /// <param name="imageSize">The square side images are brought to; 0 = the images' own size (<see cref="ImageSide"/>).</param>
    /// <param name="maxImageSize">The cap on a size chosen from the data; 0 = none.</param>
    /// <param name="split">How class folders without train/ are split; null = the defaults of <see cref="StratifiedSplit"/>.</param>
    public static LoadedDataset Load(string root, int imageSize, int maxImageSize = 0, StratifiedSplit? split = null)
    {
        ImageSide.Check(imageSize, maxImageSize);
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new InvalidInputException($"{full}: no such folder");
        }
        var trainFolder = Path.Combine(full, "train");
        var testFolder = Path.Combine(full, "test");
        var valFolder = Path.Combine(full, "val");
        if (!Directory.Exists(trainFolder))
        {
            if (Directory.Exists(testFolder) || Directory.Exists(valFolder))
            {
                throw new InvalidInputException($"{full}: no train/ folder (an image folder dataset is ROOT/train/<class>/ with ROOT/test/<class>/ or ROOT/val/<class>/, or ROOT/<class>/)");
            }
            return LoadUnsplit(full, imageSize, maxImageSize, split ?? new StratifiedSplit(StratifiedSplit.DefaultSeed, StratifiedSplit.DefaultTestFraction));
        }
        var format = "image-folder";
        if (!Directory.Exists(testFolder))
        {
            if (!Directory.Exists(valFolder))
            {
                throw new InvalidInputException($"{full}: no test/ or val/ folder beside train/ (an image folder dataset is ROOT/train/<class>/ with ROOT/test/<class>/ or ROOT/val/<class>/)");
            }
            (testFolder, format) = (valFolder, "image-folder-val");
        }
        var classes = ClassFolders(trainFolder);
        var testClasses = ClassFolders(testFolder);
        if (!classes.SequenceEqual(testClasses, StringComparer.Ordinal))
        {
            var missing = classes.Except(testClasses, StringComparer.Ordinal).ToArray();
            var extra = testClasses.Except(classes, StringComparer.Ordinal).ToArray();
            throw new InvalidInputException(
                $"{testFolder}: {Path.GetFileName(testFolder)} classes do not match the training classes ({Describe("missing", missing)}{(missing.Length > 0 && extra.Length > 0 ? "; " : "")}{Describe("not in train/", extra)})");
        }
        return LoadFiles(ListImages(trainFolder, classes), ListImages(testFolder, classes), classes, imageSize, maxImageSize, format, full);
    }

    private static LoadedDataset LoadUnsplit(string root, int imageSize, int maxImageSize, StratifiedSplit split)
    {
        split.Validate();
        var classes = ClassFolders(root);
        var files = ListImages(root, classes);
        var (train, test) = split.Apply(files.Select(file => file.Label).ToArray(), classes.Length);
        if (test.Length == 0)
        {
            throw new InvalidInputException($"{root}: no class folder has two images, so no test split can be made");
        }
        var loaded = LoadFiles(train.Select(i => files[i]).ToList(), test.Select(i => files[i]).ToList(), classes, imageSize, maxImageSize, "image-folder-unsplit", root);
        return loaded with { Split = split };
    }

    /// <summary>
    /// Decodes labelled image files into the two splits at one square side chosen by <see cref="ImageSide"/> from
    /// both splits' sizes (read from the headers only).
    /// </summary>
    internal static LoadedDataset LoadFiles(List<(string Path, int Label)> trainFiles, List<(string Path, int Label)> testFiles, string[] classes, int imageSize, int maxImageSize, string format, string path)
    {
        var sizes = imageSize > 0 ? [] : trainFiles.Concat(testFiles).Select(file => ReadSize(file.Path)).ToArray();
        var (side, reason) = ImageSide.Choose(sizes, imageSize, maxImageSize);
        using var scope = NewDisposeScope();
        var (trainImages, trainGrey) = Decode(trainFiles, side);
        var (testImages, testGrey) = Decode(testFiles, side);
        if (trainGrey && testGrey)
        {
            trainImages = trainImages.narrow(1, 0, 1).contiguous();
            testImages = testImages.narrow(1, 0, 1).contiguous();
        }
        var train = new ImageDataset(trainImages, Labels(trainFiles), classes);
        try
        {
            var test = new ImageDataset(testImages, Labels(testFiles), classes);
            return new LoadedDataset(train, test, format, path) { SizeReason = reason };
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
        foreach (var name in classes)
        {
            CheckName(Path.Combine(split, name), Directory.Exists);
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
            foreach (var image in images)
            {
                CheckName(image, File.Exists);
            }
            if (images.Length == 0)
            {
                throw new InvalidInputException($"{folder}: empty class folder (no {string.Join(", ", Extensions)} images)");
            }
            files.AddRange(images.Select(file => (file, label)));
        }
        return files;
    }

    /// <summary>
    /// Refuses a name that is not valid UTF-8: .NET shows its bad bytes as U+FFFD, and the name it returns then
    /// names nothing, so the folder or file could never be opened (and a class name must be printable text).
    /// </summary>
    private static void CheckName(string path, Func<string, bool> exists)
    {
        if (path.Contains('\uFFFD', StringComparison.Ordinal) && !exists(path))
        {
            throw new InvalidInputException($"{path}: the name is not valid UTF-8 (bad bytes shown as \uFFFD); rename it");
        }
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
    /// One image file as uint8 [<paramref name="channels"/>, size, size], brought to size as the dataset images are
    /// (for prediction); one channel is the image's luminance.
    /// </summary>
    public static Tensor ReadImage(string file, int size, int channels)
    {
        var rgba = new byte[size * size * 4];
        DecodeSquare(file, size, rgba);
        return tensor(SquareImage.Planes(rgba, channels), [channels, size, size], ScalarType.Byte);
    }

    /// <summary>
    /// An encoded image (PNG, JPEG or BMP) read from a stream, at most <see cref="SquareImage.MaxEncodedBytes"/> of it, brought to
    /// size as <see cref="ReadImage(string, int, int)"/> does; <paramref name="name"/> names it in errors.
    /// </summary>
    public static Tensor ReadImage(Stream image, string name, int size, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        var bytes = SquareImage.ReadEncoded(image, out var refusal) ?? throw new InvalidInputException($"{name}: {refusal}");
        using var data = SKData.CreateCopy(bytes);
        using var codec = CheckedCodec(SKCodec.Create(data), name);
        var rgba = new byte[size * size * 4];
        DecodeSquare(codec, name, size, rgba);
        return tensor(SquareImage.Planes(rgba, channels), [channels, size, size], ScalarType.Byte);
    }

    /// <summary>Width and height from the file's header, without decoding its pixels.</summary>
    private static (int Width, int Height) ReadSize(string file)
    {
        using var codec = OpenCodec(file);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Opens a file's decoder after checking the size its header claims.</summary>
    private static SKCodec OpenCodec(string file) => CheckedCodec(SKCodec.Create(file), file);

    /// <summary>Checks a decoder (null when the bytes are no image) and the size its header claims.</summary>
    private static SKCodec CheckedCodec(SKCodec? codec, string file)
    {
        if (SquareImage.Refusal(codec) is { } refusal)
        {
            codec?.Dispose();
            throw new InvalidInputException($"{file}: {refusal}");
        }
        return codec!;
    }

    /// <summary>Decodes one file into RGBA [size, size, 4] by <see cref="SquareImage"/>'s rule.</summary>
    private static void DecodeSquare(string file, int size, byte[] rgba)
    {
        using var codec = OpenCodec(file);
        DecodeSquare(codec, file, size, rgba);
    }

    private static void DecodeSquare(SKCodec codec, string file, int size, byte[] rgba)
    {
        if (SquareImage.DecodeRgba(codec, size, rgba) is { } failure)
        {
            throw new InvalidInputException($"{file}: {failure}");
        }
    }
}
