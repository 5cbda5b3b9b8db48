using System.Buffers.Binary;
using System.Formats.Tar;
using System.Text;
using Dha.Data;
using Dha.Tests.Fuzz;

namespace Dha.Tests.Data;

/// <summary>Lengths that files claim are checked against the limit and the bytes that are really there, before anything is allocated from them.</summary>
public class BoundedReadTests
{
    [Fact]
    public void A_tar_entry_declaring_8_GiB_is_refused_with_one_line()
    {
        var tar = CifarArchiveFuzzTests.Tar(TarEntryFormat.Ustar);
        // the first entry's size field: 11 octal digits and a NUL; 8^11 bytes = 8 GiB
        Encoding.ASCII.GetBytes("100000000000\0").AsSpan(0, 12).CopyTo(tar.AsSpan(124));
        Encoding.ASCII.GetBytes("        ").CopyTo(tar.AsSpan(148));
        var sum = tar.AsSpan(0, 512).ToArray().Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar.AsSpan(148));
        using var files = new DatasetFiles();
        files.Write("cifar-100-binary.tar.gz", tar, gzip: true);
        var archive = files.PathOf("cifar-100-binary.tar.gz");

        var error = Assert.Throws<InvalidInputException>(() => CifarArchive.Load(archive));

        Assert.Equal($"{archive}:cifar-100-binary/train.bin: claims 8589934592 bytes, more than the 1024 MiB a dataset file may hold (damaged, or not a dataset file)", error.Message);
    }

    [Fact]
    public void A_dataset_file_linked_to_an_endless_device_is_refused_with_one_line()
    {
        // /dev/zero reports no length: only counting the bytes as they arrive stops the read (it used to abort the
        // process after 4 GB)
        using var folder = new TempFolder();
        var batch = Path.Combine(folder.Path, "data_batch_1.bin");
        File.CreateSymbolicLink(batch, "/dev/zero");

        var error = Assert.Throws<InvalidInputException>(() => BoundedRead.File(batch));

        Assert.Equal($"{batch}: holds more than the 1024 MiB a dataset file may hold (not a dataset file)", error.Message);
    }

    [Theory]
    [InlineData(100_000_000, "claims 78400000000 bytes, more than the 1024 MiB")]
    [InlineData(1_000_000, "truncated: shorter than the 784000016 bytes its header announces")]
    public void An_idx_header_claiming_absurd_counts_is_refused_before_allocation(int count, string expected)
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1, 0], [1, 0], rows: 28, columns: 28, gzip: true);
        var header = DatasetFiles.IdxImages(DatasetFiles.Pixels(3, 28, 28), 3, 28, 28);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        files.Write("train-images-idx3-ubyte.gz", header, gzip: true);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.StartsWith(files.PathOf("train-images-idx3-ubyte.gz"), error.Message);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.InRange(allocated, 0, 16L << 20);
    }

    [Fact]
    public void A_plain_idx_file_claiming_more_than_it_holds_is_refused_from_its_length()
    {
        using var files = new DatasetFiles();
        files.WriteIdxDataset([0, 1, 0], [1, 0], gzip: false);
        var header = DatasetFiles.IdxImages(DatasetFiles.Pixels(3, 3, 2), 3, 3, 2);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 50_000_000);
        files.Write("train-images-idx3-ubyte", header);

        var error = Assert.Throws<InvalidInputException>(() => IdxReader.Load(files.Root));

        Assert.Equal($"{files.PathOf("train-images-idx3-ubyte")}: truncated: 34 bytes, but the header announces 300000016", error.Message);
    }
}
