using System.Runtime.InteropServices;
using System.Text;
using Dha.Tests.Data;

namespace Dha.Tests.Cli;

/// <summary>
/// <c>dha datasets inspect</c> and <c>dha search</c> agree on what a valid dataset is: each bad image folder is
/// refused by both with the same one line (exit 2), and the search leaves no run folder.
/// </summary>
public sealed class DatasetAgreementTests : IDisposable
{
    private readonly DatasetFiles _files = new();

    public void Dispose() => _files.Dispose();

    private void Image(string path) => _files.WriteImage(path, 4, 4, (y, x) => ((byte)(y * 60), (byte)(x * 60), 9));

    /// <summary>Both commands on the folder: the one line they print, after checking it is the same and the only output.</summary>
    private string RefusedByBoth()
    {
        var inspect = DhaTool.Run("datasets", "inspect", _files.Root);
        var run = Path.Combine(Path.GetDirectoryName(_files.Root)!, "run");
        var search = DhaTool.Run("search", "--quiet", "--data", _files.Root, "--out", run, "--set", "threads=1");
        foreach (var result in new[] { inspect, search })
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Single(result.ErrorLines);
            Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
        }
        Assert.Equal(inspect.ErrorLines, search.ErrorLines);
        Assert.False(Directory.Exists(run));
        return inspect.ErrorLines[0];
    }

    [Fact]
    public void A_single_class_is_refused_by_both()
    {
        Image("cat/a.png");
        Image("cat/b.png");
        Image("cat/c.png");

        Assert.Equal($"dha: {_files.Root}: only one class (cat); a classifier needs at least two", RefusedByBoth());
    }

    [Fact]
    public void An_empty_class_folder_is_refused_by_both()
    {
        Image("train/cat/a.png");
        Image("test/cat/b.png");
        Image("test/dog/c.png");
        Directory.CreateDirectory(_files.PathOf("train", "dog"));

        Assert.StartsWith($"dha: {_files.PathOf("train", "dog")}: empty class folder", RefusedByBoth());
    }

    [Fact]
    public void An_image_that_does_not_decode_is_named_by_both()
    {
        Image("train/cat/a.png");
        Image("train/dog/b.png");
        Image("test/cat/c.png");
        var bad = _files.PathOf("test", "dog", "d.png");
        _files.Write(Path.Combine("test", "dog", "d.png"), Encoding.ASCII.GetBytes("not a picture at all"));

        Assert.StartsWith($"dha: {bad}: not a decodable image", RefusedByBoth());
    }

    [Fact]
    public void A_header_claiming_ten_gigapixels_is_refused_by_both()
    {
        Image("train/cat/a.png");
        Image("train/dog/b.png");
        Image("test/cat/c.png");
        var huge = _files.PathOf("test", "dog", "d.png");
        _files.Write(Path.Combine("test", "dog", "d.png"), ImageFolderReaderTests.HugePng(100_000, 100_000));

        Assert.StartsWith($"dha: {huge}: the header claims 100000x100000 pixels", RefusedByBoth());
    }

    [Fact]
    public void A_class_folder_whose_name_is_not_utf8_is_refused_by_both()
    {
        Image("train/cat/a.png");
        Image("train/dog/b.png");
        Image("test/cat/c.png");
        Image("test/dog/d.png");
        // .NET cannot spell such a name: the folder is renamed to raw bytes (0xFF is never UTF-8) through libc
        var from = Encoding.UTF8.GetBytes(_files.PathOf("train", "dog") + "\0");
        byte[] to = [.. Encoding.UTF8.GetBytes(_files.PathOf("train", "d")), 0xFF, (byte)'g', 0];
        Assert.Equal(0, Rename(from, to));
        try
        {
            Assert.Equal($"dha: {_files.PathOf("train", "d\uFFFDg")}: the name is not valid UTF-8 (bad bytes shown as \uFFFD); rename it", RefusedByBoth());
        }
        finally
        {
            // nor can .NET delete it
            Assert.Equal(0, Rename(to, from));
        }
    }

    [DllImport("libc", EntryPoint = "rename")]
    private static extern int Rename(byte[] from, byte[] to);
}
