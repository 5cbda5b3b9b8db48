using Dha.Data;
using Dha.Tests.Data;

namespace Dha.Tests.Api;

/// <summary>An image read from a stream is the image read from its file; bytes that are no image, or too many, give one clear error.</summary>
public sealed class StreamImageTests : IDisposable
{
    private readonly DatasetFiles _files = new();

    [Fact]
    public void A_stream_decodes_as_its_file()
    {
        _files.WriteImage("a.png", 40, 30, (y, x) => ((byte)(x * 6), (byte)(y * 8), (byte)(x + y)));
        var path = _files.PathOf("a.png");
        using var fromFile = ImageFolderReader.ReadImage(path, 16, 3);
        using var stream = File.OpenRead(path);
        using var fromStream = ImageFolderReader.ReadImage(stream, "a", 16, 3);
        Assert.True(fromFile.equal(fromStream).all().item<bool>());
    }

    [Fact]
    public void Bytes_that_are_no_image_are_refused_by_name()
    {
        using var stream = new MemoryStream("not an image at all"u8.ToArray());
        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.ReadImage(stream, "upload-7", 16, 1));
        Assert.StartsWith("upload-7: not a decodable image", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_longer_than_an_image_may_be_is_refused_before_it_is_all_read()
    {
        using var stream = new EndlessStream();
        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.ReadImage(stream, "endless", 16, 1));
        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
        Assert.True(stream.Served <= SquareImage.MaxEncodedBytes + 81920);
    }

    public void Dispose() => _files.Dispose();
}
