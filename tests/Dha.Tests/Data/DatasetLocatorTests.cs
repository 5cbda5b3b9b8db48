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
        files.WriteImage("images/train/dog/1.png", 3, 4, (_, _) => (4, 5, 6));
        files.WriteImage("images/test/dog/1.png", 3, 3, (_, _) => (4, 5, 6));

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
        using (var ownSize = DatasetLocator.Load(files.PathOf("images")))
        {
            Assert.Equal([2, 3, 3, 3], ownSize.Train.Images.shape);
            Assert.Equal("3x3: median shorter side of 4 images of mixed sizes (shorter sides 3-3)", ownSize.SizeReason);
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

        Assert.Equal($"{files.Root}: unknown dataset format (expected idx files, CIFAR-10/100 binary or python files or .tar.gz, a CSV of path,label, or an image folder: train/ with test/ or val/, or one folder per class)", error.Message);
        Assert.StartsWith($"{files.PathOf("notes.txt")}: unknown dataset format", fileError.Message);
    }

    [Fact]
    public void The_layouts_users_have_are_recognised_from_their_files()
    {
        using var files = new DatasetFiles();
        files.WriteFolder("py10/cifar-10-batches-py", PickleFiles.Cifar10Files([[0, 1], [2], [3], [4], [5]], [6]));
        files.WriteTarGz("cifar-100-python.tar.gz", "cifar-100-python", PickleFiles.Cifar100Files([(0, 1), (0, 2)], [(0, 3)]));
        Directory.CreateDirectory(files.PathOf("py100"));
        File.Move(files.PathOf("cifar-100-python.tar.gz"), files.PathOf("py100", "cifar-100-python.tar.gz"));
        files.WriteImage("val/train/a/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("val/val/a/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("val/train/b/1.png", 4, 4, (_, _) => (4, 5, 6));
        files.WriteImage("val/val/b/1.png", 4, 4, (_, _) => (4, 5, 6));
        files.WriteImage("classes/a/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("classes/a/2.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("classes/b/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("csv/images/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("csv/images/2.png", 4, 4, (_, _) => (1, 2, 3));
        File.WriteAllText(files.PathOf("csv", "labels.csv"), "images/1.png,x,train\nimages/2.png,x,test\nimages/1.png,y,train\nimages/2.png,y,test\n");

        using (var py10 = DatasetLocator.Load(files.PathOf("py10")))
        {
            Assert.Equal(("cifar-10-python", 6, files.PathOf("py10", "cifar-10-batches-py")), (py10.Format, py10.Train.Count, py10.Path));
        }
        using (var py100 = DatasetLocator.Load(files.PathOf("py100")))
        {
            Assert.Equal(("cifar-100-python", 2), (py100.Format, py100.Train.Count));
        }
        using (var val = DatasetLocator.Load(files.PathOf("val")))
        {
            Assert.Equal(("image-folder-val", 2), (val.Format, val.Test.Count));
        }
        using (var classes = DatasetLocator.Load(files.PathOf("classes"), splitSeed: 4, testFraction: 0.5))
        {
            Assert.Equal(("image-folder-unsplit", 2, 1), (classes.Format, classes.Train.Count, classes.Test.Count));
            Assert.Equal(new StratifiedSplit(4, 0.5), classes.Split);
        }
        using (var csvFolder = DatasetLocator.Load(files.PathOf("csv")))
        {
            Assert.Equal(("csv", files.PathOf("csv", "labels.csv")), (csvFolder.Format, csvFolder.Path));
        }
        using (var csvFile = DatasetLocator.Load(files.PathOf("csv", "labels.csv"), imageSize: 2))
        {
            Assert.Equal(("csv", 2), (csvFile.Format, csvFile.Train.Height));
        }
    }

    [Fact]
    public void Bad_size_and_split_parameters_are_refused()
    {
        Assert.StartsWith("max image size -1", Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(null, maxImageSize: -1)).Message);
        Assert.StartsWith("test fraction 1.5", Assert.Throws<InvalidInputException>(() => DatasetLocator.Load(null, testFraction: 1.5)).Message);
    }
}
