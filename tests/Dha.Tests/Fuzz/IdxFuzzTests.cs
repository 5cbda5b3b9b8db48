using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Fuzz;

public class IdxFuzzTests
{
    [Fact]
    public void Damaged_idx_files_plain_and_gzipped_are_read_or_refused_with_one_line()
    {
        byte[] trainLabels = [0, 1, 2, 0, 1, 2];
        byte[] testLabels = [2, 1, 0];
        FuzzFile[] files =
        [
            new("train-images-idx3-ubyte.gz", DatasetFiles.IdxImages(DatasetFiles.Pixels(6, 4, 3), 6, 4, 3), Fuzzer.Gzip),
            new("train-labels-idx1-ubyte", DatasetFiles.IdxLabels(trainLabels)),
            new("t10k-images-idx3-ubyte", DatasetFiles.IdxImages(DatasetFiles.Pixels(3, 4, 3, start: 100), 3, 4, 3)),
            new("t10k-labels-idx1-ubyte.gz", DatasetFiles.IdxLabels(testLabels), Fuzzer.Gzip),
        ];
        Fuzzer.Run(seed: 12001, files, folder =>
        {
            using var loaded = IdxReader.Load(folder);
        });
    }
}
