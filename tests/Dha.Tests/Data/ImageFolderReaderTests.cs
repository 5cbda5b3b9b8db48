using Dha.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class ImageFolderReaderTests
{
    private static (byte, byte, byte) Colour(int y, int x, int seed) =>
        ((byte)(seed + y * 40 + x), (byte)(200 - y * 10 - x * 3), (byte)(x * 30 + seed / 2));

    [Fact]
    public void Png_folder_round_trips_exact_rgb_pixels_with_sorted_class_names()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/zebra/a.png", 6, 6, (y, x) => Colour(y, x, 1));
        files.WriteImage("train/apple/b.png", 6, 6, (y, x) => Colour(y, x, 2));
        files.WriteImage("train/apple/a.PNG", 6, 6, (y, x) => Colour(y, x, 3));
        File.WriteAllText(files.PathOf("train", "apple", "notes.txt"), "not an image");
        files.WriteImage("test/apple/c.png", 6, 6, (y, x) => Colour(y, x, 4));
        files.WriteImage("test/zebra/d.png", 6, 6, (y, x) => Colour(y, x, 5));

        using var loaded = ImageFolderReader.Load(files.Root, imageSize: 6);

        Assert.Equal("image-folder", loaded.Format);
        Assert.Equal(["apple", "zebra"], loaded.Train.ClassNames);
        Assert.Equal([3, 3, 6, 6], loaded.Train.Images.shape);
        // Files are taken in ordinal order per class: apple/a.PNG (seed 3), apple/b.png (2), zebra/a.png (1).
        Assert.Equal(new long[] { 0, 0, 1 }, loaded.Train.Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1 }, loaded.Test.Labels.data<long>().ToArray());
        int[] seeds = [3, 2, 1];
        for (var i = 0; i < 3; i++)
        {
            for (var y = 0; y < 6; y++)
            {
                for (var x = 0; x < 6; x++)
                {
                    var (r, g, b) = Colour(y, x, seeds[i]);
                    Assert.Equal(r, loaded.Train.Images[i, 0, y, x].item<byte>());
                    Assert.Equal(g, loaded.Train.Images[i, 1, y, x].item<byte>());
                    Assert.Equal(b, loaded.Train.Images[i, 2, y, x].item<byte>());
                }
            }
        }
    }

    [Fact]
    public void All_grey_images_give_one_channel_and_one_colour_image_keeps_three()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/1.png", 4, 4, (y, x) => ((byte)(y * 60 + x), (byte)(y * 60 + x), (byte)(y * 60 + x)), colorType: SKColorType.Gray8);
        files.WriteImage("train/b/1.png", 4, 4, (y, x) => ((byte)(x * 50), (byte)(x * 50), (byte)(x * 50)));
        files.WriteImage("test/a/1.png", 4, 4, (_, _) => (9, 9, 9));
        files.WriteImage("test/b/1.png", 4, 4, (_, _) => (200, 200, 200));

        using (var grey = ImageFolderReader.Load(files.Root, 4))
        {
            Assert.Equal([2, 1, 4, 4], grey.Train.Images.shape);
            Assert.Equal(2 * 60 + 3, grey.Train.Images[0, 0, 2, 3].item<byte>());
            Assert.Equal(150, grey.Train.Images[1, 0, 1, 3].item<byte>());
            Assert.Equal([2, 1, 4, 4], grey.Test.Images.shape);
        }

        files.WriteImage("test/b/1.png", 4, 4, (_, _) => (200, 10, 10));
        using var colour = ImageFolderReader.Load(files.Root, 4);
        Assert.Equal([2, 3, 4, 4], colour.Train.Images.shape);
        Assert.Equal([2, 3, 4, 4], colour.Test.Images.shape);
    }

    [Fact]
    public void Shorter_side_is_resized_then_the_centre_is_cropped()
    {
        using var files = new DatasetFiles();
        // 24 wide x 8 high: a red centre square (x 8..15) between blue bands; the 8x8 centre crop is all red,
        // then 8 -> 4 halves it. A 8 wide x 16 high image: top half green, bottom half white; the centre crop
        // (rows 4..11) keeps green above and white below.
        files.WriteImage("train/a/wide.png", 24, 8, (_, x) => x is >= 8 and < 16 ? ((byte)220, (byte)0, (byte)0) : ((byte)0, (byte)0, (byte)255));
        files.WriteImage("train/b/tall.png", 8, 16, (y, _) => y < 8 ? ((byte)0, (byte)200, (byte)0) : ((byte)255, (byte)255, (byte)255));
        files.WriteImage("test/a/x.png", 5, 5, (_, _) => (1, 2, 3));
        files.WriteImage("test/b/x.png", 5, 5, (_, _) => (1, 2, 3));

        using var loaded = ImageFolderReader.Load(files.Root, imageSize: 4);

        Assert.Equal([2, 3, 4, 4], loaded.Train.Images.shape);
        var wide = loaded.Train.Images[0].to_type(ScalarType.Int32);
        Assert.Equal(new[] { 220, 0, 0 }, Enumerable.Range(0, 3).Select(c => wide[c].max().item<int>()));
        Assert.Equal(new[] { 220, 0, 0 }, Enumerable.Range(0, 3).Select(c => wide[c].min().item<int>()));
        var tall = loaded.Train.Images[1];
        Assert.Equal(new byte[] { 0, 200, 0 }, Enumerable.Range(0, 3).Select(c => tall[c, 0, 0].item<byte>()));
        Assert.Equal(new byte[] { 255, 255, 255 }, Enumerable.Range(0, 3).Select(c => tall[c, 3, 3].item<byte>()));
        // Test images (5x5) are scaled to 4x4 too; a uniform image stays uniform.
        Assert.Equal([2, 3, 4, 4], loaded.Test.Images.shape);
        Assert.Equal(2, loaded.Test.Images[0, 1, 2, 2].item<byte>());
    }

    [Fact]
    public void Jpeg_and_hand_written_bmp_decode()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/x.jpg", 8, 8, (_, _) => (200, 100, 50), SKEncodedImageFormat.Jpeg);
        files.WriteBmp("train/b/x.bmp", 3, 2, (y, x) => ((byte)(10 * x), (byte)(100 + y), 7));
        files.WriteImage("test/a/x.jpeg", 8, 8, (_, _) => (200, 100, 50), SKEncodedImageFormat.Jpeg);
        files.WriteBmp("test/b/x.bmp", 2, 2, (_, _) => (5, 6, 7));

        using var loaded = ImageFolderReader.Load(files.Root, imageSize: 2);

        var jpeg = loaded.Train.Images[0].to_type(ScalarType.Float32);
        Assert.Equal(200, jpeg[0].mean().item<float>(), 3f);
        Assert.Equal(100, jpeg[1].mean().item<float>(), 3f);
        Assert.Equal(50, jpeg[2].mean().item<float>(), 3f);
        var bmp = loaded.Test.Images[1];
        Assert.Equal(new byte[] { 5, 6, 7 }, Enumerable.Range(0, 3).Select(c => bmp[c, 1, 0].item<byte>()));
        // The 3x2 BMP's centre 2x2 square is columns 0.5..2.5; its bottom-right pixel lies between x=1 and x=2.
        var bottomRight = loaded.Train.Images[1, 1, 1, 1].item<byte>();
        Assert.Equal(101, bottomRight);
    }

    [Fact]
    public void Folder_without_train_is_reported()
    {
        using var files = new DatasetFiles();
        files.WriteImage("test/a/x.png", 2, 2, (_, _) => (1, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.Load(files.Root, 0));

        Assert.Equal($"{files.Root}: no train/ folder (an image folder dataset is ROOT/train/<class>/ with ROOT/test/<class>/ or ROOT/val/<class>/, or ROOT/<class>/)", error.Message);
    }

    [Fact]
    public void Empty_class_folder_is_reported()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/x.png", 2, 2, (_, _) => (1, 1, 1));
        Directory.CreateDirectory(files.PathOf("train", "b"));
        File.WriteAllText(files.PathOf("train", "b", "readme.txt"), "");
        files.WriteImage("test/a/x.png", 2, 2, (_, _) => (1, 1, 1));
        files.WriteImage("test/b/x.png", 2, 2, (_, _) => (1, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.Load(files.Root, 2));

        Assert.Equal($"{files.PathOf("train", "b")}: empty class folder (no .png, .jpg, .jpeg, .bmp images)", error.Message);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    public void Image_that_does_not_decode_is_reported_with_its_file(string damage)
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/good.png", 16, 16, (y, x) => ((byte)x, (byte)y, 0));
        files.WriteImage("train/a/bad.png", 16, 16, (y, x) => ((byte)(x * 9), (byte)(y * 13), 77));
        var bad = files.PathOf("train", "a", "bad.png");
        var bytes = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, damage == "garbage" ? "this is no image"u8.ToArray() : bytes[..(bytes.Length * 2 / 3)]);
        files.WriteImage("test/a/x.png", 2, 2, (_, _) => (1, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.Load(files.Root, 4));

        Assert.StartsWith($"{bad}: ", error.Message);
        Assert.Contains("decod", error.Message);
    }

    [Fact]
    public void Test_classes_must_match_train_classes()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/x.png", 2, 2, (_, _) => (1, 1, 1));
        files.WriteImage("train/b/x.png", 2, 2, (_, _) => (1, 1, 1));
        files.WriteImage("test/a/x.png", 2, 2, (_, _) => (1, 1, 1));
        files.WriteImage("test/c/x.png", 2, 2, (_, _) => (1, 1, 1));

        var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.Load(files.Root, 2));

        Assert.Equal($"{files.PathOf("test")}: test classes do not match the training classes (missing: b; not in train/: c)", error.Message);
    }

    [Fact]
    public void Size_zero_keeps_the_images_own_size_and_says_why()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/1.png", 28, 28, (y, x) => Colour(y, x, 1));
        files.WriteImage("train/b/1.png", 28, 28, (y, x) => Colour(y, x, 2));
        files.WriteImage("test/a/1.png", 28, 28, (y, x) => Colour(y, x, 3));
        files.WriteImage("test/b/1.png", 28, 28, (y, x) => Colour(y, x, 4));

        using var loaded = ImageFolderReader.Load(files.Root, imageSize: 0);

        Assert.Equal([2, 3, 28, 28], loaded.Train.Images.shape);
        Assert.Equal("28x28: every image is 28x28", loaded.SizeReason);
        var (r, g, b) = Colour(27, 13, 2);
        Assert.Equal(new[] { r, g, b }, Enumerable.Range(0, 3).Select(c => loaded.Train.Images[1, c, 27, 13].item<byte>()));
    }

    [Fact]
    public void Mixed_sizes_take_the_median_side_and_a_cap_brings_it_down()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/1.png", 4, 6, (_, _) => (10, 20, 30));
        files.WriteImage("train/a/2.png", 12, 8, (_, _) => (10, 20, 30));
        files.WriteImage("train/b/1.png", 40, 40, (_, _) => (10, 20, 30));
        files.WriteImage("test/a/1.png", 9, 10, (_, _) => (10, 20, 30));
        files.WriteImage("test/b/1.png", 16, 16, (_, _) => (10, 20, 30));

        using (var own = ImageFolderReader.Load(files.Root, imageSize: 0))
        {
            Assert.Equal([3, 3, 9, 9], own.Train.Images.shape);
            Assert.Equal([2, 3, 9, 9], own.Test.Images.shape);
            Assert.Equal("9x9: median shorter side of 5 images of mixed sizes (shorter sides 4-40)", own.SizeReason);
            Assert.Equal(20, own.Test.Images[1, 1, 4, 4].item<byte>());
        }
        using var capped = ImageFolderReader.Load(files.Root, imageSize: 0, maxImageSize: 6);
        Assert.Equal([3, 3, 6, 6], capped.Train.Images.shape);
        Assert.StartsWith("6x6: capped from 9 by the max image size; ", capped.SizeReason);
    }

    [Fact]
    public void Val_is_the_test_split_when_there_is_no_test_folder()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("train/b/1.png", 4, 4, (_, _) => (1, 2, 3));
        files.WriteImage("val/a/1.png", 4, 4, (_, _) => (7, 8, 9));
        files.WriteImage("val/b/1.png", 4, 4, (_, _) => (7, 8, 9));
        files.WriteImage("val/b/2.png", 4, 4, (_, _) => (7, 8, 9));

        using var loaded = ImageFolderReader.Load(files.Root, 0);

        Assert.Equal("image-folder-val", loaded.Format);
        Assert.Null(loaded.Split);
        Assert.Equal(new long[] { 0, 1, 1 }, loaded.Test.Labels.data<long>().ToArray());
        Assert.Equal(9, loaded.Test.Images[2, 2, 0, 0].item<byte>());
    }

    [Fact]
    public void Class_folders_without_split_are_split_by_seed_stratified_and_in_name_order()
    {
        using var files = new DatasetFiles();
        // Written in reverse name order, so a listing in creation order would differ from the ordinal one.
        for (var i = 9; i >= 0; i--)
        {
            files.WriteImage($"cat/{i:00}.png", 3, 3, (_, _) => ((byte)i, 0, 0));
        }
        for (var i = 19; i >= 0; i--)
        {
            files.WriteImage($"dog/{i:00}.png", 3, 3, (_, _) => ((byte)(100 + i), 0, 0));
        }
        static byte[] Reds(ImageDataset set) => set.Images.select(1, 0).select(1, 0).select(1, 0).data<byte>().ToArray();

        using var first = ImageFolderReader.Load(files.Root, 0, split: new StratifiedSplit(5, 0.3));
        using var again = ImageFolderReader.Load(files.Root, 0, split: new StratifiedSplit(5, 0.3));
        using var other = ImageFolderReader.Load(files.Root, 0, split: new StratifiedSplit(6, 0.3));

        Assert.Equal("image-folder-unsplit", first.Format);
        Assert.Equal(new StratifiedSplit(5, 0.3), first.Split);
        Assert.Equal(["cat", "dog"], first.Train.ClassNames);
        Assert.Equal(new long[] { 7, 14 }, first.Train.CountPerClass());
        Assert.Equal(new long[] { 3, 6 }, first.Test.CountPerClass());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i).Concat(Enumerable.Range(100, 20).Select(i => (byte)i)),
            Reds(first.Train).Concat(Reds(first.Test)).Order());
        Assert.Equal(Reds(first.Test), Reds(again.Test));
        Assert.NotEqual(Reds(first.Test), Reds(other.Test));
    }

    [Fact]
    public void A_header_claiming_ten_gigapixels_is_refused_before_decoding()
    {
        using var files = new DatasetFiles();
        files.WriteImage("train/a/good.png", 4, 4, (_, _) => (1, 2, 3));
        var hostile = files.PathOf("train", "a", "huge.png");
        File.WriteAllBytes(hostile, HugePng(100_000, 100_000));
        files.WriteImage("test/a/x.png", 4, 4, (_, _) => (1, 2, 3));

        foreach (var size in new[] { 0, 4 })
        {
            var error = Assert.Throws<InvalidInputException>(() => ImageFolderReader.Load(files.Root, size));
            Assert.Equal($"{hostile}: the header claims 100000x100000 pixels, more than the 64 megapixels an image may have (damaged, or not a real image)", error.Message);
        }
    }

    /// <summary>A valid PNG header (signature, IHDR with its CRC) announcing width x height RGB, with a tiny IDAT.</summary>
    internal static byte[] HugePng(int width, int height)
    {
        var bytes = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        void Chunk(string type, byte[] data)
        {
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
            bytes.AddRange(length);
            byte[] body = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            bytes.AddRange(body);
            var crc = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
            bytes.AddRange(crc);
        }
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk("IHDR", header);
        Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk("IEND", []);
        return [.. bytes];
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }
}
