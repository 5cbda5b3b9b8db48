using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Fuzz;

public class CifarPythonFuzzTests
{
    [Fact]
    public void Damaged_cifar10_python_pickles_are_read_or_refused_with_one_line()
    {
        var files = PickleFiles.Cifar10Files([[0], [1], [2, 3], [4], [5]], [6, 7]).Select(f => new FuzzFile(f.Key, f.Value)).ToArray();
        Fuzzer.Run(seed: 12005, files, folder =>
        {
            using var loaded = CifarPythonReader.LoadFolder(folder);
        });
    }
}
