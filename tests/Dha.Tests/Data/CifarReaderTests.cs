using Dha.Data;

namespace Dha.Tests.Data;

public class CifarReaderTests
{
    private static readonly byte[][] TrainLabels = [[0, 9], [1], [2, 3, 4], [5], [6, 7]];
    private static readonly byte[] TestLabels = [8, 3, 0];

    [Fact]
    public void Cifar10_folder_round_trips_planar_pixels_labels_and_meta_names()
    {
        using var files = new DatasetFiles();
        files.WriteFolder("cifar-10-batches-bin", DatasetFiles.Cifar10Files(TrainLabels, TestLabels));

        using var loaded = CifarReader.LoadFolder(files.PathOf("cifar-10-batches-bin"));

        Assert.Equal("cifar-10", loaded.Format);
        Assert.Equal([9, 3, 32, 32], loaded.Train.Images.shape);
        Assert.Equal([3, 3, 32, 32], loaded.Test.Images.shape);
        Assert.Equal(new long[] { 0, 9, 1, 2, 3, 4, 5, 6, 7 }, loaded.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 8, 3, 0 }, loaded.Test.Labels.data<long>().ToArray());
        Assert.Equal(DatasetFiles.Cifar10Names, loaded.Train.ClassNames);
        // Train image 4 is record 1 of data_batch_3 (seed 2000): channel 2, row 5, column 7.
        Assert.Equal(DatasetFiles.CifarPixel(2000, 1, 2, 5, 7), loaded.Train.Images[4, 2, 5, 7].item<byte>());
        Assert.Equal(DatasetFiles.CifarPixel(5000, 2, 1, 31, 0), loaded.Test.Images[2, 1, 31, 0].item<byte>());
    }

    [Fact]
    public void Cifar10_tar_gz_reads_like_the_extracted_folder()
    {
        using var files = new DatasetFiles();
        var archive = files.WriteTarGz("cifar-10-binary.tar.gz", "cifar-10-batches-bin", DatasetFiles.Cifar10Files(TrainLabels, TestLabels));
        files.WriteFolder("cifar-10-batches-bin", DatasetFiles.Cifar10Files(TrainLabels, TestLabels));

        using var fromArchive = CifarArchive.Load(archive);
        using var fromFolder = CifarReader.LoadFolder(files.PathOf("cifar-10-batches-bin"));

        Assert.Equal("cifar-10", fromArchive.Format);
        Assert.Equal(archive, fromArchive.Path);
        Assert.True(fromArchive.Train.Images.equal(fromFolder.Train.Images).all().item<bool>());
        Assert.True(fromArchive.Test.Images.equal(fromFolder.Test.Images).all().item<bool>());
        Assert.Equal(fromFolder.Train.Labels.data<long>().ToArray(), fromArchive.Train.Labels.data<long>().ToArray());
        Assert.Equal(fromFolder.Train.ClassNames, fromArchive.Train.ClassNames);
    }

    [Fact]
    public void Cifar100_uses_the_fine_label_and_its_names_from_folder_and_archive()
    {
        using var files = new DatasetFiles();
        (byte, byte)[] train = [(4, 72), (1, 0), (19, 99)];
        (byte, byte)[] test = [(4, 55)];
        var cifar100 = DatasetFiles.Cifar100Files(train, test);
        files.WriteFolder("cifar-100-binary", cifar100);
        var archive = files.WriteTarGz("cifar-100-binary.tar.gz", "cifar-100-binary", cifar100);

        foreach (var loaded in new[] { CifarReader.LoadFolder(files.PathOf("cifar-100-binary")), CifarArchive.Load(archive) })
        {
            using (loaded)
            {
                Assert.Equal("cifar-100", loaded.Format);
                Assert.Equal(100, loaded.Train.ClassCount);
                Assert.Equal("fine72", loaded.Train.ClassNames[72]);
                Assert.Equal(new long[] { 72, 0, 99 }, loaded.Train.Labels.data<long>().ToArray());
                Assert.Equal(new long[] { 55 }, loaded.Test.Labels.data<long>().ToArray());
                // Two label bytes precede the pixels: pixel (0, 0, 0) of record 2 is the record's first pixel byte.
                Assert.Equal(DatasetFiles.CifarPixel(0, 2, 0, 0, 0), loaded.Train.Images[2, 0, 0, 0].item<byte>());
                Assert.Equal(DatasetFiles.CifarPixel(7, 0, 2, 31, 31), loaded.Test.Images[0, 2, 31, 31].item<byte>());
            }
        }
    }

    [Fact]
    public void File_that_is_not_a_whole_number_of_records_is_reported()
    {
        using var files = new DatasetFiles();
        var cifar10 = DatasetFiles.Cifar10Files(TrainLabels, TestLabels);
        cifar10["test_batch.bin"] = cifar10["test_batch.bin"][..^100];
        files.WriteFolder("c10", cifar10);

        var error = Assert.Throws<InvalidInputException>(() => CifarReader.LoadFolder(files.PathOf("c10")));

        Assert.Equal($"{files.PathOf("c10", "test_batch.bin")}: 9119 bytes is not a whole number of 3073-byte records (truncated or not CIFAR-10)", error.Message);
    }

    [Fact]
    public void Cifar10_label_outside_ten_classes_is_reported()
    {
        using var files = new DatasetFiles();
        var cifar10 = DatasetFiles.Cifar10Files([[0], [1], [10, 2], [3], [4]], TestLabels);
        files.WriteFolder("c10", cifar10);

        var error = Assert.Throws<InvalidInputException>(() => CifarReader.LoadFolder(files.PathOf("c10")));

        Assert.Equal($"{files.PathOf("c10", "data_batch_3.bin")}: label 10 of record 0 is outside the 10 classes (0..9)", error.Message);
    }

    [Fact]
    public void Cifar100_fine_label_outside_hundred_classes_is_reported_from_the_archive()
    {
        using var files = new DatasetFiles();
        var archive = files.WriteTarGz("cifar-100-binary.tar.gz", "cifar-100-binary", DatasetFiles.Cifar100Files([(0, 1), (0, 100)], [(0, 1)]));

        var error = Assert.Throws<InvalidInputException>(() => CifarArchive.Load(archive));

        Assert.Equal($"{archive}:cifar-100-binary/train.bin: label 100 of record 1 is outside the 100 classes (0..99)", error.Message);
    }

    [Fact]
    public void Missing_training_batch_is_reported()
    {
        using var files = new DatasetFiles();
        var cifar10 = DatasetFiles.Cifar10Files(TrainLabels, TestLabels);
        cifar10.Remove("data_batch_4.bin");
        files.WriteFolder("c10", cifar10);

        var error = Assert.Throws<InvalidInputException>(() => CifarReader.LoadFolder(files.PathOf("c10")));

        Assert.Equal($"{files.PathOf("c10", "data_batch_4.bin")}: missing", error.Message);
    }

    [Fact]
    public void Truncated_archive_is_reported_in_one_line()
    {
        using var files = new DatasetFiles();
        var archive = files.WriteTarGz("cifar-10-binary.tar.gz", "cifar-10-batches-bin", DatasetFiles.Cifar10Files(TrainLabels, TestLabels));
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InvalidInputException>(() => CifarArchive.Load(archive));

        // the archive, or the entry it ends in
        Assert.StartsWith($"{archive}:", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
