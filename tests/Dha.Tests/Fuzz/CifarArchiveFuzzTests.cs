using System.Formats.Tar;
using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Fuzz;

public class CifarArchiveFuzzTests
{
    /// <summary>A CIFAR-100 binary download in miniature: the tar bytes (stored gzipped) of two records and the names.</summary>
    internal static byte[] Tar(TarEntryFormat format)
    {
        var files = DatasetFiles.Cifar100Files([(3, 41), (0, 0)], [(7, 5)]);
        using var output = new MemoryStream();
        using (var tar = new TarWriter(output, format, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                var entry = format == TarEntryFormat.Pax
                    ? (TarEntry)new PaxTarEntry(TarEntryType.RegularFile, $"cifar-100-binary/{name}")
                    : new UstarTarEntry(TarEntryType.RegularFile, $"cifar-100-binary/{name}");
                entry.DataStream = new MemoryStream(bytes);
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData(TarEntryFormat.Ustar, 12003)]
    [InlineData(TarEntryFormat.Pax, 12004)]
    public void Damaged_cifar_archives_are_read_or_refused_with_one_line(TarEntryFormat format, int seed)
    {
        Fuzzer.Run(seed, [new FuzzFile("cifar-100-binary.tar.gz", Tar(format), Fuzzer.Gzip)], folder =>
        {
            using var loaded = CifarArchive.Load(Path.Combine(folder, "cifar-100-binary.tar.gz"));
        });
    }
}
