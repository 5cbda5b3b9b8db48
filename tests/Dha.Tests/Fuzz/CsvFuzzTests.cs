using System.Text;
using Dha.Data;

namespace Dha.Tests.Fuzz;

public class CsvFuzzTests
{
    [Fact]
    public void Damaged_csv_lists_are_read_or_refused_with_one_line()
    {
        var images = ImageFolderFuzzTests.Images("img/a.png", "img/b.png", "img/c.png", "img/d.png");
        var csv = Encoding.UTF8.GetBytes("path,label,split\nimg/a.png,cat,train\n\"img/b.png\",dog,train\nimg/c.png,cat,test\nimg/d.png,\"d,og\",val\nimg/b.png,\"d,og\",train\n");
        Fuzzer.Run(seed: 12007, [new FuzzFile("list.csv", csv)], folder =>
        {
            using var loaded = CsvDatasetReader.Load(Path.Combine(folder, "list.csv"), imageSize: 0);
        }, untouched: images);
    }
}
