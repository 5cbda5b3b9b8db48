using Dha.Data;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class CifarPythonReaderTests
{
    private static readonly byte[][] TrainLabels = [[0, 9], [1], [2, 3, 4], [5], [6, 7]];
    private static readonly byte[] TestLabels = [8, 3, 0];

    [Fact]
    public void Cifar10_python_folder_holds_the_same_images_labels_and_names_as_the_binary_version()
    {
        using var files = new DatasetFiles();
        files.WriteFolder("cifar-10-batches-py", PickleFiles.Cifar10Files(TrainLabels, TestLabels));
        files.WriteFolder("cifar-10-batches-bin", DatasetFiles.Cifar10Files(TrainLabels, TestLabels));

        using var python = CifarPythonReader.LoadFolder(files.PathOf("cifar-10-batches-py"));
        using var binary = CifarReader.LoadFolder(files.PathOf("cifar-10-batches-bin"));

        Assert.Equal("cifar-10-python", python.Format);
        Assert.Equal([9, 3, 32, 32], python.Train.Images.shape);
        Assert.Equal(new long[] { 0, 9, 1, 2, 3, 4, 5, 6, 7 }, python.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 8, 3, 0 }, python.Test.Labels.data<long>().ToArray());
        Assert.Equal(DatasetFiles.Cifar10Names, python.Train.ClassNames);
        Assert.Equal(DatasetFiles.CifarPixel(2000, 1, 2, 5, 7), python.Train.Images[4, 2, 5, 7].item<byte>());
        Assert.Equal(python.Train.Images.data<byte>().ToArray(), binary.Train.Images.data<byte>().ToArray());
        Assert.Equal(python.Test.Images.data<byte>().ToArray(), binary.Test.Images.data<byte>().ToArray());
        Assert.Equal("32x32: the fixed size of the cifar-10-python format", python.SizeReason);
    }

    [Fact]
    public void Cifar100_python_archive_reads_fine_labels_and_names_like_the_folder()
    {
        using var files = new DatasetFiles();
        (byte, byte)[] train = [(3, 41), (19, 99), (0, 0)];
        (byte, byte)[] test = [(7, 5)];
        var archive = files.WriteTarGz("cifar-100-python.tar.gz", "cifar-100-python", PickleFiles.Cifar100Files(train, test));
        files.WriteFolder("cifar-100-python", PickleFiles.Cifar100Files(train, test));

        using var fromArchive = CifarArchive.Load(archive);
        using var fromFolder = CifarPythonReader.LoadFolder(files.PathOf("cifar-100-python"));

        foreach (var loaded in new[] { fromArchive, fromFolder })
        {
            Assert.Equal("cifar-100-python", loaded.Format);
            Assert.Equal(new long[] { 41, 99, 0 }, loaded.Train.Labels.data<long>().ToArray());
            Assert.Equal(new long[] { 5 }, loaded.Test.Labels.data<long>().ToArray());
            Assert.Equal(100, loaded.Train.ClassCount);
            Assert.Equal("fine99", loaded.Train.ClassNames[99]);
            Assert.Equal(DatasetFiles.CifarPixel(7, 0, 2, 31, 31), loaded.Test.Images[0, 2, 31, 31].item<byte>());
        }
        Assert.Equal(fromArchive.Train.Images.data<byte>().ToArray(), fromFolder.Train.Images.data<byte>().ToArray());
    }

    [Fact]
    public void A_long_label_list_written_in_chunks_of_a_thousand_reads_whole()
    {
        using var files = new DatasetFiles();
        var labels = Enumerable.Range(0, 2500).Select(i => (byte)(i % 10)).ToArray();
        var batches = PickleFiles.Cifar10Files([labels, [1], [2], [3], [4]], TestLabels);
        files.WriteFolder("py", batches);

        using var loaded = CifarPythonReader.LoadFolder(files.PathOf("py"));

        Assert.Equal(2504, loaded.Train.Count);
        Assert.Equal(labels.Select(l => (long)l), loaded.Train.Labels.narrow(0, 0, 2500).data<long>().ToArray());
        Assert.Equal(DatasetFiles.CifarPixel(0, 2499, 1, 3, 4), loaded.Train.Images[2499, 1, 3, 4].item<byte>());
    }

    public static TheoryData<string, Func<Dictionary<string, byte[]>, string>> Damages => new()
    {
        { "truncated", files => Damage(files, "data_batch_2", bytes => bytes[..(bytes.Length - 100)]) },
        { "label 10", files => Replace(files, "data_batch_3", [0, 10, 4]) },
        { "3 labels for 2 images", files => Replace(files, "data_batch_5", [1, 2, 3], images: 2) },
        { "'data' is u1 [2, 3000]", files => Replace(files, "data_batch_5", [1, 2], columns: 3000) },
        { "refusing os.system", files => Damage(files, "data_batch_1", bytes => [.. bytes[..2], .. "cos\nsystem\n"u8.ToArray(), .. bytes[2..]]) },
        { "unsupported pickle opcode", files => Damage(files, "test_batch", bytes => [.. bytes[..2], (byte)'I', .. bytes[2..]]) },
        { "no 'labels' entry", files => Replace(files, "data_batch_4", [5], key: "fine_labels") },
    };

    private static string Damage(Dictionary<string, byte[]> files, string name, Func<byte[], byte[]> damage)
    {
        files[name] = damage(files[name]);
        return name;
    }

    private static string Replace(Dictionary<string, byte[]> files, string name, long[] labels, int images = -1, int columns = 3072, string key = "labels")
    {
        var count = images < 0 ? labels.Length : images;
        files[name] = PickleFiles.Dict((key, labels), ("data", new PickleFiles.NdArray(count, columns, new byte[count * columns])));
        return name;
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void Each_damaged_file_gives_one_line_naming_it(string expected, Func<Dictionary<string, byte[]>, string> damage)
    {
        using var files = new DatasetFiles();
        var cifar = PickleFiles.Cifar10Files(TrainLabels, TestLabels);
        var damaged = damage(cifar);
        files.WriteFolder("py", cifar);

        var error = Assert.Throws<InvalidInputException>(() => CifarPythonReader.LoadFolder(files.PathOf("py")));

        Assert.StartsWith($"{files.PathOf("py", damaged)}: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_pixel_row_of_the_pickle_lands_channel_planar()
    {
        using var files = new DatasetFiles();
        var pixels = new byte[3072];
        pixels[0] = 10;         // R (0, 0)
        pixels[1024 + 33] = 20; // G (1, 1)
        pixels[2048 + 1023] = 30; // B (31, 31)
        var cifar = PickleFiles.Cifar10Files(TrainLabels, TestLabels);
        cifar["test_batch"] = PickleFiles.Dict(("labels", new long[] { 4 }), ("data", new PickleFiles.NdArray(1, 3072, pixels)));
        files.WriteFolder("py", cifar);

        using var loaded = CifarPythonReader.LoadFolder(files.PathOf("py"));

        var image = loaded.Test.Images[0].to_type(ScalarType.Int32);
        Assert.Equal(60, image.sum().item<long>());
        Assert.Equal(10, image[0, 0, 0].item<int>());
        Assert.Equal(20, image[1, 1, 1].item<int>());
        Assert.Equal(30, image[2, 31, 31].item<int>());
    }

    /// <summary>
    /// batches.meta as Python 3's own pickle writes it, so the reader is checked against the real implementation and not
    /// only against <see cref="PickleFiles"/>. Made by
    /// <c>base64.b64encode(pickle.dumps(d, protocol=p))</c> with d = {b'num_cases_per_batch': 10000, b'label_names':
    /// [b'airplane', …, b'truck'], b'num_vis': 3072} for protocols 2 (bytes as _codecs.encode) and 4 (frames,
    /// MEMOIZE), and for protocol 3 with str keys, num_vis = -3072 and an extra b'big': 2**40 (BININT, LONG1).
    /// </summary>
    [Theory]
    [InlineData("gAJ9cQAoY19jb2RlY3MKZW5jb2RlCnEBWBMAAABudW1fY2FzZXNfcGVyX2JhdGNocQJYBgAAAGxhdGluMXEDhnEEUnEFTRAnaAFYCwAAAGxhYmVsX25hbWVzcQZoA4ZxB1JxCF1xCShoAVgIAAAAYWlycGxhbmVxCmgDhnELUnEMaAFYCgAAAGF1dG9tb2JpbGVxDWgDhnEOUnEPaAFYBAAAAGJpcmRxEGgDhnERUnESaAFYAwAAAGNhdHETaAOGcRRScRVoAVgEAAAAZGVlcnEWaAOGcRdScRhoAVgDAAAAZG9ncRloA4ZxGlJxG2gBWAQAAABmcm9ncRxoA4ZxHVJxHmgBWAUAAABob3JzZXEfaAOGcSBScSFoAVgEAAAAc2hpcHEiaAOGcSNScSRoAVgFAAAAdHJ1Y2txJWgDhnEmUnEnZWgBWAcAAABudW1fdmlzcShoA4ZxKVJxKk0ADHUu")]
    [InlineData("gASVjQAAAAAAAAB9lChDE251bV9jYXNlc19wZXJfYmF0Y2iUTRAnQwtsYWJlbF9uYW1lc5RdlChDCGFpcnBsYW5llEMKYXV0b21vYmlsZZRDBGJpcmSUQwNjYXSUQwRkZWVylEMDZG9nlEMEZnJvZ5RDBWhvcnNllEMEc2hpcJRDBXRydWNrlGVDB251bV92aXOUTQAMdS4=")]
    [InlineData("gAN9cQAoWAsAAABsYWJlbF9uYW1lc3EBXXECKFgIAAAAYWlycGxhbmVxA1gKAAAAYXV0b21vYmlsZXEEWAQAAABiaXJkcQVYAwAAAGNhdHEGWAQAAABkZWVycQdYAwAAAGRvZ3EIWAQAAABmcm9ncQlYBQAAAGhvcnNlcQpYBAAAAHNoaXBxC1gFAAAAdHJ1Y2txDGVYBwAAAG51bV92aXNxDUoA9P//WAMAAABiaWdxDooGAAAAAAABdS4=")]
    public void A_meta_file_pickled_by_python_itself_is_read(string base64)
    {
        using var files = new DatasetFiles();
        var cifar = PickleFiles.Cifar10Files(TrainLabels, TestLabels);
        cifar["batches.meta"] = Convert.FromBase64String(base64);
        files.WriteFolder("py", cifar);

        using var loaded = CifarPythonReader.LoadFolder(files.PathOf("py"));

        Assert.Equal(DatasetFiles.Cifar10Names, loaded.Train.ClassNames);
    }
}
