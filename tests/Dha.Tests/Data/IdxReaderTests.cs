using Dha.Data;

namespace Dha.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Idx_files_round_trip_pixels_labels_and_shape(bool gzip)
    {
        using var files = new DatasetFiles();
        byte[] trainLabels = [3, 0, 1, 2, 3];
        byte[] testLabels = [1, 2];
        files.WriteIdxDataset(trainLabels, testLabels, rows: 3, columns: 2, gzip: gzip);

        using var loaded = IdxReader.Load(files.Root);

        Assert.Equal("idx", loaded.Format);
        Assert.Equal(files.Root, loaded.Path);
        Assert.Equal([5, 1, 3, 2], loaded.Train.Images.shape);
        Assert.Equal([2, 1, 3, 2], loaded.Test.Images.shape);
        Assert.Equal(DatasetFiles.Pixels(5, 3, 2), loaded.Train.Images.data<byte>().ToArray());
        Assert.Equal(DatasetFiles.Pixels(2, 3, 2, start: 100), loaded.Test.Images.data<byte>().ToArray());
        Assert.Equal(trainLabels.Select(l => (long)l), loaded.Train.Labels.data<long>().ToArray());
        Assert.Equal(testLabels.Select(l => (long)l), loaded.Test.Labels.data<long>().ToArray());
        // Not Fashion-MNIST: classes are named by number, up to the largest training label.
        Assert.Equal(["0", "1", "2", "3"], loaded.Train.ClassNames);
    }

    [Fact]
    public void A_path_containing_fashion_gets_the_ten_fashion_class_names()
    {
        using var files = new DatasetFiles("my-fashion-set");
        files.WriteIdxDataset([0, 1], [9]);

        using var loaded = IdxReader.Load(files.Root);

        Assert.Equal(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], loaded.Train.ClassNames);
        Assert.Equal(10, loaded.Test.ClassCount);
    }

    [Fact]
    public void The_shipped_fashion_mnist_subset_has_10000_train_and_2000_test_images()
    {
        using var loaded = IdxReader.Load(DatasetLocator.FindShipped());

        Assert.Equal([10_000, 1, 28, 28], loaded.Train.Images.shape);
        Assert.Equal([2_000, 1, 28, 28], loaded.Test.Images.shape);
        Assert.Equal(10, loaded.Train.ClassCount);
        Assert.Equal(10_000, loaded.Train.CountPerClass().Sum());
    }

    [Fact]
    public void Wrong_magic_number_is_reported_with_the_file()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: false);
        files.Write("train-labels-idx1-ubyte", DatasetFiles.IdxLabels([0, 1], magic: 2051));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("train-labels-idx1-ubyte")}: wrong magic number 2051 (expected 2049 for idx labels (idx1))", error.Message);
    }

    [Fact]
    public void Truncated_image_file_is_reported_with_its_length()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], rows: 3, columns: 2, gzip: false);
        var full = DatasetFiles.IdxImages(DatasetFiles.Pixels(2, 3, 2), 2, 3, 2);
        files.Write("train-images-idx3-ubyte", full[..^5]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("train-images-idx3-ubyte")}: truncated: 23 bytes, but the header announces 28", error.Message);
    }

    [Fact]
    public void Truncated_gzip_file_is_reported()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], rows: 8, columns: 8, gzip: true);
        var path = files.PathOf("train-images-idx3-ubyte.gz");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.StartsWith($"{path}: ", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void File_longer_than_its_header_announces_is_reported()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: false);
        files.Write("t10k-labels-idx1-ubyte", [.. DatasetFiles.IdxLabels([1]), 0]);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("t10k-labels-idx1-ubyte")}: longer than the 9 bytes its header announces", error.Message);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: false);
        files.Write("train-labels-idx1-ubyte", DatasetFiles.IdxLabels([0, 1, 1]));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("train-labels-idx1-ubyte")}: 3 labels but train-images-idx3-ubyte holds 2 images", error.Message);
    }

    [Fact]
    public void Label_outside_the_class_count_is_reported()
    {
        using var files = new DatasetFiles("fashion");
        files.WriteIdxDataset([0, 10, 1], [1], gzip: false);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("train-labels-idx1-ubyte")}: label 10 of item 1 is outside the 10 classes (0..9)", error.Message);
    }

    [Fact]
    public void Test_label_unseen_in_training_is_outside_the_class_count()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 2, 1], [0, 3], gzip: true);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("t10k-labels-idx1-ubyte.gz")}: label 3 of item 1 is outside the 3 classes (0..2)", error.Message);
    }

    [Fact]
    public void Missing_test_files_are_reported()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1], [1], gzip: true);
        File.Delete(files.PathOf("t10k-images-idx3-ubyte.gz"));

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("t10k-images-idx3-ubyte[.gz]")}: missing (an idx dataset needs train and t10k images and labels)", error.Message);
    }
}
