using Tensorboard;

namespace Dha.TensorBoard;

/// <summary>
/// Reads back the scalars of a run's event files (<see cref="TensorBoardWriter"/>): every file of the folder in name
/// order (the order the sessions wrote them), each up to its first damaged record, as tag → step → value. A step
/// written by two files keeps the later file's value (a resumed session cut the earlier files back, so none should).
/// </summary>
internal static class EventScalars
{
    /// <summary>The scalars of the event files in <paramref name="folder"/>; empty if the folder is missing.</summary>
    public static Dictionary<string, SortedDictionary<long, double>> Read(string folder)
    {
        var scalars = new Dictionary<string, SortedDictionary<long, double>>(StringComparer.Ordinal);
        if (!Directory.Exists(folder))
        {
            return scalars;
        }
        foreach (var file in Directory.GetFiles(folder, TensorBoardWriter.FilePrefix + "*").Order(StringComparer.Ordinal))
        {
            List<byte[]> records;
            using (var stream = File.OpenRead(file))
            {
                records = TfRecord.ReadValid(stream, out _);
            }
            foreach (var record in records)
            {
                var e = Event.Parser.ParseFrom(record);
                foreach (var value in e.Summary?.Value ?? [])
                {
                    if (value.ValueCase == Summary.Types.Value.ValueOneofCase.SimpleValue)
                    {
                        if (!scalars.TryGetValue(value.Tag, out var series))
                        {
                            series = [];
                            scalars[value.Tag] = series;
                        }
                        series[e.Step] = value.SimpleValue;
                    }
                }
            }
        }
        return scalars;
    }
}
