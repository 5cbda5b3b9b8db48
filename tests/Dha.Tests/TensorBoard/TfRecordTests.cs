using System.Text;
using Dha.TensorBoard;
using Google.Protobuf;
using Tensorboard;

namespace Dha.Tests.TensorBoard;

public class TfRecordTests
{
    [Fact]
    public void Crc32c_gives_the_standard_check_value_in_the_library_and_in_the_test_reader()
    {
        var check = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, TorchSharp.Utils.CRC32C.process(check));
        Assert.Equal(0xE3069283u, EventFileReader.Crc32C(check));
        Assert.Equal(EventFileReader.Masked(0xE3069283u), TfRecord.MaskedCrc(check));
    }

    [Fact]
    public void Records_read_back_independently_and_a_cut_or_flipped_record_ends_the_read()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "events.out.tfevents.1.test");
        var events = Enumerable.Range(0, 3).Select(Scalar).ToArray();
        using (var file = File.Create(path))
        {
            foreach (var e in events)
            {
                TfRecord.Write(file, e.ToByteArray());
            }
        }

        var read = EventFileReader.Read(path);
        Assert.Equal([0L, 1, 2], read.Select(e => e.Step));
        Assert.Equal([0f, 0.5f, 1f], read.Select(e => e.Values.Single(v => v.Tag == "x").Scalar!.Value));

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(3, ReadValid(bytes, out var complete).Count);
        Assert.True(complete);
        var cut = ReadValid(bytes[..^3], out complete);
        Assert.Equal(2, cut.Count);
        Assert.False(complete);
        var flipped = (byte[])bytes.Clone();
        var second = bytes.Length / 3 + 14; // inside the second record's data (the three are the same size)
        flipped[second] ^= 1;
        Assert.Single(ReadValid(flipped, out complete));
        Assert.False(complete);
    }

    [Fact]
    public void Keeping_up_to_a_step_drops_later_events_and_a_torn_tail()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "events.out.tfevents.1.test");
        using (var file = File.Create(path))
        {
            foreach (var e in Enumerable.Range(0, 6).Select(Scalar))
            {
                TfRecord.Write(file, e.ToByteArray());
            }
            file.Write([1, 2, 3]); // a record a kill cut short
        }
        TensorBoardWriter.KeepUpTo(path, 3);
        Assert.Equal([0L, 1, 2, 3], EventFileReader.Read(path).Select(e => e.Step));

        var untouched = File.GetLastWriteTimeUtc(path);
        TensorBoardWriter.KeepUpTo(path, 3);
        Assert.Equal(untouched, File.GetLastWriteTimeUtc(path));
        Assert.Single(Directory.GetFiles(folder.Path)); // no temporary left
    }

    private static Event Scalar(int step)
    {
        var summary = new Summary();
        summary.Value.Add(new Summary.Types.Value { Tag = "x", SimpleValue = step / 2f });
        return new Event { Step = step, WallTime = 1e9 + step, Summary = summary };
    }

    private static List<byte[]> ReadValid(byte[] bytes, out bool complete)
    {
        using var stream = new MemoryStream(bytes);
        return TfRecord.ReadValid(stream, out complete);
    }
}
