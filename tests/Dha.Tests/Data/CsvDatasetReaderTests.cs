using Dha.Data;

namespace Dha.Tests.Data;

public class CsvDatasetReaderTests
{
    private static DatasetFiles WithImages(int perClass)
    {
        var files = new DatasetFiles();
        foreach (var (name, red) in new[] { ("zebra", 200), ("ant", 50) })
        {
            for (var i = 0; i < perClass; i++)
            {
                files.WriteImage($"img/{name}{i}.png", 5, 5, (_, _) => ((byte)(red + i), 7, 9));
            }
        }
        return files;
    }

    [Fact]
    public void A_split_column_gives_the_splits_with_class_names_in_ordinal_order()
    {
        using var files = WithImages(2);
        File.WriteAllLines(files.PathOf("list.csv"),
        [
            "path,label,split",
            "img/zebra0.png,zebra,train",
            "\"img/ant0.png\",ant,TRAIN",
            "",
            "img/ant1.png,ant,val",
            "img/zebra1.png, zebra ,test",
        ]);

        using var loaded = CsvDatasetReader.Load(files.PathOf("list.csv"), 0);

        Assert.Equal("csv", loaded.Format);
        Assert.Null(loaded.Split);
        Assert.Equal(["ant", "zebra"], loaded.Train.ClassNames);
        Assert.Equal(new long[] { 1, 0 }, loaded.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1 }, loaded.Test.Labels.data<long>().ToArray());
        Assert.Equal(200, loaded.Train.Images[0, 0, 2, 2].item<byte>());
        Assert.Equal(201, loaded.Test.Images[1, 0, 2, 2].item<byte>());
        Assert.Equal(9, loaded.Test.Images[1, 2, 4, 4].item<byte>());
        Assert.Equal("5x5: every image is 5x5", loaded.SizeReason);
    }

    [Fact]
    public void Without_a_split_column_the_split_is_seeded_stratified_and_independent_of_row_order()
    {
        using var files = WithImages(10);
        var rows = Enumerable.Range(0, 10).SelectMany(i => new[] { $"img/zebra{i}.png,zebra", $"img/ant{i}.png,ant" }).ToArray();
        File.WriteAllLines(files.PathOf("a.csv"), rows);
        File.WriteAllLines(files.PathOf("b.csv"), ["path,label", .. rows.Reverse()]);

        using var a = CsvDatasetReader.Load(files.PathOf("a.csv"), 0, split: new StratifiedSplit(1, 0.2));
        using var b = CsvDatasetReader.Load(files.PathOf("b.csv"), 0, split: new StratifiedSplit(1, 0.2));

        Assert.Equal(new StratifiedSplit(1, 0.2), a.Split);
        Assert.Equal(new long[] { 2, 2 }, a.Test.CountPerClass());
        Assert.Equal(new long[] { 8, 8 }, a.Train.CountPerClass());
        Assert.Equal(a.Test.Images.data<byte>().ToArray(), b.Test.Images.data<byte>().ToArray());
        Assert.Equal(a.Train.Labels.data<long>().ToArray(), b.Train.Labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData("img/ant0.png", "1: 1 columns, expected path,label or path,label,split")]
    [InlineData("img/ant0.png,ant\nimg/ant1.png,ant,test", "2: 3 columns, expected 2 like the first row")]
    [InlineData("img/ant0.png,ant,train\nimg/ant1.png,ant,holdout", "2: split 'holdout' is not train, test or val")]
    [InlineData("img/ant0.png,ant\nimg/nope.png,ant", "2: ")]
    [InlineData("img/ant0.png,\nimg/ant1.png,ant", "1: empty label")]
    [InlineData("\"img/ant0.png,ant", "1: a quoted field is not closed")]
    [InlineData("path,label", ": no image rows")]
    [InlineData("img/ant0.png,ant,train\nimg/ant1.png,ant,train", ": no row has split test")]
    [InlineData("img/ant0.png,ant,train\nimg/zebra0.png,zebra,test", ": no training image for class zebra")]
    public void Each_malformed_csv_gives_one_line_naming_it(string content, string expected)
    {
        using var files = WithImages(2);
        var csv = files.PathOf("list.csv");
        File.WriteAllText(csv, content + "\n");

        var error = Assert.Throws<InvalidInputException>(() => CsvDatasetReader.Load(csv, 0));

        Assert.StartsWith($"{csv}{(expected.StartsWith(':') ? "" : ":")}{expected}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
