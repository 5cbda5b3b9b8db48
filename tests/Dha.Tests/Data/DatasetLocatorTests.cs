using Dha.Data;

namespace Dha.Tests.Data;

public class DatasetLocatorTests
{
    [Fact]
    public void No_path_loads_the_shipped_fashion_mnist_subset()
    {
        using var loaded = DatasetLocator.Load(null);

        Assert.Equal("idx", loaded.Format);
        Assert.EndsWith(Path.Combine("data", "fashion-mnist-small"), loaded.Path);
        Assert.Equal(10_000, loaded.Train.Count);
        Assert.Equal(2_000, loaded.Test.Count);
        Assert.Equal((1, 28, 28), (loaded.Train.Channels, loaded.Train.Height, loaded.Train.Width));
        Assert.Equal("Ankle boot", loaded.Train.ClassNames[9]);
    }

    [Fact]
    public void Fashion_mnist_by_name_is_the_installed_full_set_or_names_the_debian_package()
    {
        if (!Directory.Exists(DatasetLocator.FashionMnistFolder))
        {
            var error = Assert.Throws<InvalidInputException>(() => DatasetLocator.Load("fashion-mnist"));
            Assert.Contains("dataset-fashion-mnist", error.Message);
            return;
        }
        using var loaded = DatasetLocator.Load("fashion-mnist");
        Assert.Equal(60_000, loaded.Train.Count);
        Assert.Equal(10_000, loaded.Test.Count);
    }

    [Fact]
    public void Each_format_is_recognised_from_its_files()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: false);
        byte[][] trainLabels = [[0], [1], [2], [3], [4]];
        files.WriteFolder("cifar/cifar-10-batches-bin", DatasetFiles.Cifar10Files(trainLabels, [5]));
        var cifar100 = DatasetFiles.Cifar100Files([(0, 1)], [(0, 2)]);
        files.WriteTarGz("cifar-100-binary.tar.gz", "cifar-100-binary", cifar100);
        Directory.CreateDirectory(files.PathOf("c100"));
        File.Move(files.PathOf("cifar-100-binary.tar.gz"), files.PathOf("c100", "cifar-100-binary.tar.gz"));
        files.WriteImage("images/train/cat/1.png", 5, 3, (_, _) => (1, 2, 3));
        files.WriteImage("images/test/cat/1.png", 3, 3, (_, _) => (1, 2, 3));

        using (var idx = DatasetLocator.Load(files.Root))
        {
            Assert.Equal(("idx", 2), (idx.Format, idx.Train.Count));
        }
        using (var idxFile = DatasetLocator.Load(files.PathOf("train-images-idx3-ubyte")))
        {
            Assert.Equal(("idx", files.Root), (idxFile.Format, idxFile.Path));
        }
        using (var cifarParent = DatasetLocator.Load(files.PathOf("cifar")))
        {
            Assert.Equal(("cifar-10", 5, files.PathOf("cifar", "cifar-10-batches-bin")), (cifarParent.Format, cifarParent.Train.Count, cifarParent.Path));
        }
        using (var cifarFolder = DatasetLocator.Load(files.PathOf("cifar", "cifar-10-batches-bin")))
        {
            Assert.Equal("cifar-10", cifarFolder.Format);
        }
        using (var archiveParent = DatasetLocator.Load(files.PathOf("c100")))
        {
            Assert.Equal(("cifar-100", 1), (archiveParent.Format, archiveParent.Train.Count));
        }
        using (var archive = DatasetLocator.Load(files.PathOf("c100", "cifar-100-binary.tar.gz")))
        {
            Assert.Equal("cifar-100", archive.Format);
        }
        using (var images = DatasetLocator.Load(files.PathOf("images"), imageSize: 6))
        {
            Assert.Equal(("image-folder", 6), (images.Format, images.Train.Height));
        }
        using (var defaultSize = DatasetLocator.Load(files.PathOf("images")))
        {
            Assert.Equal([1, 3, 224, 224], defaultSize.Train.Images.shape);
        }
    }

    [Fact]
    public void Missing_path_is_reported()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"dha-missing-{Guid.NewGuid():N}");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(missing));

        Assert.Equal($"{missing}: no such file or folder", error.Message);
    }

    [Fact]
    public void Folder_of_unknown_files_is_an_unknown_format()
    {
        using var files = new DatasetFiles();
        File.WriteAllText(files.PathOf("notes.txt"), "hello");

        var error = Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(files.Root));
        var fileError = Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(files.PathOf("notes.txt")));

        Assert.Equal($"{files.Root}: unknown dataset format (expected idx files, CIFAR-10/100 binary files or .tar.gz, or an image folder with train/ and test/)", error.Message);
        Assert.StartsWith($"{files.PathOf("notes.txt")}: unknown dataset format", fileError.Message);
    }

    [Fact]
    public void Folder_of_class_folders_without_train_is_reported_as_such()
    {
        using var files = new DatasetFiles();
        files.WriteImage("cat/1.png", 2, 2, (_, _) => (1, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(files.Root));

        Assert.StartsWith($"{files.Root}: no train/ folder", error.Message);
    }
}
