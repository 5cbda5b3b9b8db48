namespace Dha.Tests.Fuzz;

/// <summary>One file of a fuzzed input: its path in the input folder, its valid content, and how content is stored (gzip, a re-sealed checksum); null = as is.</summary>
internal sealed record FuzzFile(string Name, byte[] Bytes, Func<byte[], byte[]>? Encode = null)
{
    public byte[] Stored(byte[] content) => Encode?.Invoke(content) ?? content;
}

/// <summary>What a fuzz run saw: inputs the reader accepted and inputs it refused with one line.</summary>
internal sealed record FuzzOutcome(int Accepted, int Refused);

/// <summary>
/// Damages one file of a valid input at a time (<see cref="Mutator"/>, seeded) and hands the folder to a reader,
/// which must either accept it or refuse it with an <see cref="InvalidInputException"/> of one line: any other
/// exception, a case that runs past <see cref="CaseTimeout"/> (a hang) or one that allocates more than
/// <see cref="AllocationCap"/> on the managed heap (a length field trusted to size a buffer) fails the test, which
/// lists the first such cases.
/// </summary>
internal static class Fuzzer
{
    public const int Cases = 1000;

    /// <summary>Far beyond what any of these tiny inputs needs: only a loop that never ends reaches it.</summary>
    public static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The inputs are kilobytes; a reader that allocates 64 MiB for one trusted a length field.</summary>
    public const long AllocationCap = 64L << 20;

    /// <param name="seed">Seeds the mutations (and which file each case damages).</param>
    /// <param name="files">The valid input.</param>
    /// <param name="load">Reads the input folder (disposing what it loads).</param>
    /// <param name="cases">How many damaged inputs are tried.</param>
    /// <param name="encodedShare">The share of cases that damage a file's stored bytes (gzip, checksum) rather than its content.</param>
    /// <param name="untouched">Files the input needs that are never damaged (the images a CSV lists).</param>
    public static FuzzOutcome Run(int seed, IReadOnlyList<FuzzFile> files, Action<string> load, int cases = Cases, double encodedShare = 0.25,
        IReadOnlyList<FuzzFile>? untouched = null)
    {
        using var folder = new TempFolder();
        foreach (var file in files.Concat(untouched ?? []))
        {
            Write(folder.Path, file.Name, file.Stored(file.Bytes));
        }
        var valid = Attempt(load, folder.Path);
        Assert.True(valid.Error is null, $"the valid input must load: {valid.Error}");

        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var (accepted, refused) = (0, 0);
        for (var i = 0; i < cases; i++)
        {
            var file = files[mutator.Random.Next(files.Count)];
            var stored = file.Stored(file.Bytes);
            var damaged = file.Encode is not null && mutator.Random.NextDouble() < encodedShare
                ? mutator.Mutate(stored)
                : file.Stored(mutator.Mutate(file.Bytes));
            Write(folder.Path, file.Name, damaged);
            var result = Attempt(load, folder.Path);
            Write(folder.Path, file.Name, stored);
            switch (result.Error)
            {
                case null:
                    accepted++;
                    break;
                case InvalidInputException e when !e.Message.Contains('\n'):
                    refused++;
                    break;
                default:
                    failures.Add($"case {i} ({file.Name}, {damaged.Length} bytes): {result.Error.GetType().Name}: {result.Error.Message.ReplaceLineEndings(" ")} at {StackTop(result.Error)}");
                    break;
            }
            if (result.Allocated > AllocationCap)
            {
                failures.Add($"case {i} ({file.Name}): allocated {result.Allocated >> 20} MiB");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} damaged inputs failed badly:\n{string.Join("\n", failures.Take(15))}");
        Assert.True(refused > 0, "no damaged input was refused: the mutations did not reach the reader");
        return new FuzzOutcome(accepted, refused);
    }

    /// <summary>The gzip stream of <paramref name="content"/>.</summary>
    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(content);
        }
        return output.ToArray();
    }

    private static void Write(string folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private sealed record Result(Exception? Error, long Allocated);

    private static Result Attempt(Action<string> load, string folder)
    {
        var task = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Exception? error = null;
            try
            {
                load(folder);
            }
            catch (Exception e)
            {
                error = e;
            }
            return new Result(error, GC.GetAllocatedBytesForCurrentThread() - before);
        });
        // a hung case cannot be stopped; the test fails at once and names it
        Assert.True(task.Wait(CaseTimeout), $"a case ran past {CaseTimeout.TotalSeconds} s (a hang)");
        return task.Result;
    }

    private static string StackTop(Exception e) =>
        e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("Dha.", StringComparison.Ordinal)) ?? "?";
}
