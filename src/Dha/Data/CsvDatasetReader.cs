using System.Text;

namespace Dha.Data;

/// <summary>
/// Reads a CSV that lists images and their class: one row per image, <c>path,label</c> or <c>path,label,split</c>,
/// with an optional header row naming those columns. Paths are relative to the CSV's folder (absolute paths are
/// kept); the label is the class name, and classes are the distinct labels in ordinal order. A split column says
/// <c>train</c> or <c>test</c> (<c>val</c> counts as test) for each row; without one, a seeded
/// <see cref="StratifiedSplit"/> makes the test set. Fields may be quoted (<c>"a,b.png"</c>, <c>""</c> for a quote).
/// Images are then read as image folders are (<see cref="ImageFolderReader.LoadFiles"/>).
/// </summary>
internal static class CsvDatasetReader
{
    private static readonly string[] Header = ["path", "label", "split"];

    /// <param name="csv">The CSV file.</param>
    /// <param name="imageSize">The square side images are brought to; 0 = the images' own size.</param>
    /// <param name="maxImageSize">The cap on a size chosen from the data; 0 = none.</param>
    /// <param name="split">How rows are split when there is no split column; null = the defaults.</param>
    public static LoadedDataset Load(string csv, int imageSize, int maxImageSize = 0, StratifiedSplit? split = null)
    {
        ImageSide.Check(imageSize, maxImageSize);
        var full = Path.GetFullPath(csv);
        if (!File.Exists(full))
        {
            throw new InvalidInputException($"{full}: no such file");
        }
        var rows = ReadRows(full);
        var classes = rows.Select(row => row.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var files = rows.Select(row => (row.Path, Array.BinarySearch(classes, row.Label, StringComparer.Ordinal))).ToList();
        List<(string Path, int Label)> train;
        List<(string Path, int Label)> test;
        StratifiedSplit? used = null;
        if (rows[0].IsTest is null)
        {
            used = split ?? new StratifiedSplit(StratifiedSplit.DefaultSeed, StratifiedSplit.DefaultTestFraction);
            used.Validate();
            // Rows are ordered by path first, so the split does not depend on the order of the CSV's lines.
            var order = Enumerable.Range(0, files.Count).OrderBy(i => files[i].Path, StringComparer.Ordinal).ToArray();
            var (trainIndices, testIndices) = used.Apply(order.Select(i => files[i].Item2).ToArray(), classes.Length);
            train = trainIndices.Select(i => files[order[i]]).ToList();
            test = testIndices.Select(i => files[order[i]]).ToList();
        }
        else
        {
            train = files.Where((_, i) => rows[i].IsTest == false).ToList();
            test = files.Where((_, i) => rows[i].IsTest == true).ToList();
        }
        if (test.Count == 0)
        {
            throw new InvalidInputException(used is null
                ? $"{full}: no row has split test (or val)"
                : $"{full}: no class has two images, so no test split can be made");
        }
        var untrained = classes.Where((_, label) => train.All(file => file.Label != label)).ToArray();
        if (untrained.Length > 0)
        {
            throw new InvalidInputException($"{full}: no training image for class {string.Join(", ", untrained)}");
        }
        var loaded = ImageFolderReader.LoadFiles(train, test, classes, imageSize, maxImageSize, "csv", full);
        return loaded with { Split = used };
    }

    private sealed record Row(string Path, string Label, bool? IsTest);

    private static List<Row> ReadRows(string csv)
    {
        var folder = System.IO.Path.GetDirectoryName(csv)!;
        var rows = new List<Row>();
        var columns = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(csv))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var fields = Fields(line, csv, lineNumber);
            if (columns == 0)
            {
                columns = fields.Count;
                if (columns is not (2 or 3))
                {
                    throw new InvalidInputException($"{csv}:{lineNumber}: {columns} columns, expected path,label or path,label,split");
                }
                if (fields.Select(field => field.Trim().ToLowerInvariant()).SequenceEqual(Header.Take(columns)))
                {
                    continue;
                }
            }
            if (fields.Count != columns)
            {
                throw new InvalidInputException($"{csv}:{lineNumber}: {fields.Count} columns, expected {columns} like the first row");
            }
            var (path, label) = (fields[0].Trim(), fields[1].Trim());
            if (path.Length == 0 || label.Length == 0)
            {
                throw new InvalidInputException($"{csv}:{lineNumber}: empty {(path.Length == 0 ? "path" : "label")}");
            }
            if (path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            {
                throw new InvalidInputException($"{csv}:{lineNumber}: the path holds a character no file name can have (a NUL byte?)");
            }
            var image = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, path));
            if (!File.Exists(image))
            {
                throw new InvalidInputException($"{csv}:{lineNumber}: {image}: no such image file");
            }
            rows.Add(new Row(image, label, columns == 3 ? IsTest(fields[2].Trim(), csv, lineNumber) : null));
        }
        if (rows.Count == 0)
        {
            throw new InvalidInputException($"{csv}: no image rows (expected path,label lines)");
        }
        return rows;
    }

    private static bool IsTest(string split, string csv, int lineNumber) => split.ToLowerInvariant() switch
    {
        "train" => false,
        "test" or "val" => true,
        _ => throw new InvalidInputException($"{csv}:{lineNumber}: split '{split}' is not train, test or val"),
    };

    /// <summary>The comma-separated fields of one line; a quoted field may hold commas and doubled quotes.</summary>
    private static List<string> Fields(string line, string csv, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new InvalidInputException($"{csv}:{lineNumber}: a quoted field is not closed");
        }
        fields.Add(field.ToString());
        return fields;
    }
}
