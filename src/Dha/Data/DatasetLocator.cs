namespace Dha.Data;

/// <summary>
/// Turns what the user typed after <c>--data</c> into a loaded dataset: nothing means the small Fashion-MNIST shipped
/// with the tool, a known name means an installed dataset, anything else is a path whose format is recognised from
/// its files. Users then never have to say which reader to use, and a wrong path fails with one clear line.
/// </summary>
public static class DatasetLocator
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
    /// otherwise a path: a folder of idx files (optionally .gz), a CIFAR-10/100 binary folder or .tar.gz, or an
    /// image folder ROOT/train/&lt;class&gt;/, ROOT/test/&lt;class&gt;/. Names win over same-named folders in the
    /// current directory (write <c>./fashion-mnist</c> for a local folder).
    /// </param>
    /// <param name="imageSize">Square side for image folders (0 = 224); fixed-size formats ignore it.</param>
    /// <exception cref="InvalidInputException">The path is missing, its format unknown, or a file is malformed.</exception>
    public static LoadedDataset Load(string? pathOrName, int imageSize = 0)
    {
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
        return LoadPath(Path.GetFullPath(pathOrName), imageSize);
    }

    private static LoadedDataset LoadPath(string path, int imageSize)
    {
        if (File.Exists(path))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
            {
                return CifarReader.LoadArchive(path);
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
        if (CifarReader.Recognise(path) is not null)
        {
            return CifarReader.LoadFolder(path);
        }
        foreach (var extracted in new[] { "cifar-10-batches-bin", "cifar-100-binary" })
        {
            var inner = Path.Combine(path, extracted);
            if (CifarReader.Recognise(inner) is not null)
            {
                return CifarReader.LoadFolder(inner);
            }
        }
        foreach (var archive in new[] { "cifar-10-binary.tar.gz", "cifar-100-binary.tar.gz" })
        {
            var inner = Path.Combine(path, archive);
            if (File.Exists(inner))
            {
                return CifarReader.LoadArchive(inner);
            }
        }
        // Any sub-folder suggests an image folder (maybe without train/): let its reader say what is missing.
        if (Directory.EnumerateDirectories(path).Any(folder => !Path.GetFileName(folder).StartsWith('.')))
        {
            return ImageFolderReader.Load(path, imageSize);
        }
        throw UnknownFormat(path);
    }

    private static InvalidInputException UnknownFormat(string path) =>
        new($"{path}: unknown dataset format (expected idx files, CIFAR-10/100 binary files or .tar.gz, or an image folder with train/ and test/)");

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
