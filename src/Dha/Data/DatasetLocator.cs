namespace Dha.Data;

/// <summary>
/// Turns what the user typed after <c>--data</c> into a loaded dataset: nothing means the small Fashion-MNIST shipped
/// with the tool, a known name means an installed dataset, anything else is a path whose format is recognised from
/// its files. Users then never have to say which reader to use, and a wrong path fails with one clear line.
/// </summary>
internal static class DatasetLocator
{
    /// <summary>The name of the full Fashion-MNIST installed by the Debian package.</summary>
    public const string FashionMnistName = "fashion-mnist";

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the full set.</summary>
    public const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The shipped default, relative to the tool or the repository root.</summary>
    public static readonly string ShippedRelativePath = Path.Combine("data", "fashion-mnist-small");

    private const string ShippedName = "fashion-mnist-small";

    /// <param name="pathOrName">
    /// null or empty: the shipped data/fashion-mnist-small; "fashion-mnist": the full set of the Debian package;
    /// otherwise a path whose format is recognised from its files: a folder of idx files (optionally .gz); a CIFAR-10/100
    /// binary or python folder or .tar.gz; a CSV of <c>path,label[,split]</c> (or a folder holding exactly one .csv);
    /// an image folder ROOT/train/&lt;class&gt;/ with ROOT/test/&lt;class&gt;/ or ROOT/val/&lt;class&gt;/ (val as the
    /// test split), or ROOT/&lt;class&gt;/ alone (a seeded stratified split). Names win over same-named folders in the
    /// current directory (write <c>./fashion-mnist</c> for a local folder).
    /// </param>
    /// <param name="imageSize">Square side for image files (0 = the images' own size, see <see cref="LoadedDataset.SizeReason"/>); fixed-size formats ignore it.</param>
    /// <param name="maxImageSize">Caps a size chosen from the images (0 = no cap); an explicit <paramref name="imageSize"/> is not capped.</param>
    /// <param name="splitSeed">Seeds the stratified split of data without a test split.</param>
    /// <param name="testFraction">The share of each class that such a split puts in the test set, in (0, 1).</param>
    /// <exception cref="InvalidInputException">The path is missing, its format unknown, or a file is malformed.</exception>
    public static LoadedDataset Load(string? pathOrName, int imageSize = 0, int maxImageSize = 0,
        int splitSeed = StratifiedSplit.DefaultSeed, double testFraction = StratifiedSplit.DefaultTestFraction)
    {
        var loaded = Find(pathOrName, imageSize, maxImageSize, splitSeed, testFraction);
        if (loaded.Train.ClassCount < 2)
        {
            loaded.Dispose();
            throw new InvalidInputException(
                $"{loaded.Path}: only one class ({loaded.Train.ClassNames[0]}); a classifier needs at least two");
        }
        return loaded;
    }

    private static LoadedDataset Find(string? pathOrName, int imageSize, int maxImageSize, int splitSeed, double testFraction)
    {
        ImageSide.Check(imageSize, maxImageSize);
        var split = new StratifiedSplit(splitSeed, testFraction);
        split.Validate();
        if (string.IsNullOrWhiteSpace(pathOrName) || pathOrName == ShippedName)
        {
            return IdxReader.Load(FindShipped());
        }
        if (pathOrName == FashionMnistName)
        {
            if (!IdxReader.Recognises(FashionMnistFolder))
            {
                throw new InvalidInputException(
                    $"{FashionMnistName}: the full Fashion-MNIST is not installed in {FashionMnistFolder} (install the Debian package dataset-fashion-mnist: sudo apt install dataset-fashion-mnist)");
            }
            return IdxReader.Load(FashionMnistFolder);
        }
        return LoadPath(Path.GetFullPath(pathOrName), imageSize, maxImageSize, split);
    }

    private static readonly string[] ExtractedCifarFolders = ["cifar-10-batches-bin", "cifar-100-binary", "cifar-10-batches-py", "cifar-100-python"];

    private static readonly string[] CifarArchives = ["cifar-10-binary.tar.gz", "cifar-100-binary.tar.gz", "cifar-10-python.tar.gz", "cifar-100-python.tar.gz"];

    private static LoadedDataset LoadPath(string path, int imageSize, int maxImageSize, StratifiedSplit split)
    {
        if (File.Exists(path))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
            {
                return CifarArchive.Load(path);
            }
            if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                return CsvDatasetReader.Load(path, imageSize, maxImageSize, split);
            }
            if (name.Contains("-idx", StringComparison.OrdinalIgnoreCase) || name.Contains(".idx", StringComparison.OrdinalIgnoreCase))
            {
                return IdxReader.Load(Path.GetDirectoryName(path)!);
            }
            throw UnknownFormat(path);
        }
        if (!Directory.Exists(path))
        {
            throw new InvalidInputException($"{path}: no such file or folder");
        }
        if (IdxReader.Recognises(path))
        {
            return IdxReader.Load(path);
        }
        if (LoadCifarFolder(path) is { } cifar)
        {
            return cifar;
        }
        foreach (var extracted in ExtractedCifarFolders.Select(folder => Path.Combine(path, folder)).Where(Directory.Exists))
        {
            if (LoadCifarFolder(extracted) is { } inner)
            {
                return inner;
            }
        }
        if (CifarArchives.Select(archive => Path.Combine(path, archive)).FirstOrDefault(File.Exists) is { } archivePath)
        {
            return CifarArchive.Load(archivePath);
        }
        var folders = Directory.EnumerateDirectories(path).Where(folder => !Path.GetFileName(folder).StartsWith('.')).ToArray();
        var csvFiles = Directory.GetFiles(path, "*.csv").Where(file => !Path.GetFileName(file).StartsWith('.')).ToArray();
        // A lone CSV beside images describes them; with train/ (or no CSV) the folders are the dataset.
        if (csvFiles.Length == 1 && !folders.Any(folder => Path.GetFileName(folder) == "train"))
        {
            return CsvDatasetReader.Load(csvFiles[0], imageSize, maxImageSize, split);
        }
        // Any sub-folder suggests an image folder: let its reader say what is missing.
        if (folders.Length > 0)
        {
            return ImageFolderReader.Load(path, imageSize, maxImageSize, split);
        }
        throw UnknownFormat(path);
    }

    /// <summary>The CIFAR binary or python dataset whose files are directly in <paramref name="folder"/>, or null.</summary>
    private static LoadedDataset? LoadCifarFolder(string folder)
    {
        bool Has(string name) => File.Exists(Path.Combine(folder, name));
        return CifarReader.Recognise(Has) is not null ? CifarReader.LoadFolder(folder)
            : CifarPythonReader.Recognise(Has) is not null ? CifarPythonReader.LoadFolder(folder)
            : null;
    }

    private static InvalidInputException UnknownFormat(string path) =>
        new($"{path}: unknown dataset format (expected idx files, CIFAR-10/100 binary or python files or .tar.gz, a CSV of path,label, or an image folder: train/ with test/ or val/, or one folder per class)");

    /// <summary>
    /// The shipped set: beside the tool first (the build copies data/ to its output), then in the current folder or
    /// any parent, then in any parent of the tool (a build output inside the repository).
    /// </summary>
    internal static string FindShipped()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, ShippedRelativePath) };
        candidates.AddRange(Ancestors(Directory.GetCurrentDirectory()).Select(folder => Path.Combine(folder, ShippedRelativePath)));
        candidates.AddRange(Ancestors(AppContext.BaseDirectory).Select(folder => Path.Combine(folder, ShippedRelativePath)));
        return candidates.FirstOrDefault(IdxReader.Recognises)
            ?? throw new InvalidInputException(
                $"{ShippedRelativePath}: the shipped dataset was not found beside the tool ({AppContext.BaseDirectory}) or above {Directory.GetCurrentDirectory()}; give a dataset path");
    }

    private static IEnumerable<string> Ancestors(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            yield return current.FullName;
        }
    }
}
