using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Fuzz;

public class CifarBinaryFuzzTests
{
    [Fact]
    public void Damaged_cifar10_binary_files_are_read_or_refused_with_one_line()
    {
        var files = DatasetFiles.Cifar10Files([[0], [1], [2], [3], [4]], [5, 6]).Select(f => new FuzzFile(f.Key, f.Value)).ToArray();
        Fuzzer.Run(seed: 12002, files, folder =>
        {
            using var loaded = CifarReader.LoadFolder(folder);
        });
    }
}
