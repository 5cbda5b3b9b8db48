using System.Security.Cryptography;
using Dha.Data;
using Dha.Search;
using Dha.Tests.Search;

namespace Dha.Tests.Fuzz;

/// <summary>
/// In the end-to-end lane (about 30 s): a damaged input that loads whole costs a TorchSharp load of the tiny search
/// network's 2,485 tensors, ~50 ms, where a data reader's case costs a millisecond.
/// </summary>
[EndToEnd]
public sealed class CheckpointFuzzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// The checkpoint's last 32 bytes made the SHA-256 of the rest again: most cases damage the content and re-seal
    /// it, so the damage reaches the section table and every learner's reader instead of stopping at the checksum.
    /// </summary>
    private static byte[] Reseal(byte[] content) =>
        content.Length < 32 ? content : [.. content[..^32], .. SHA256.HashData(content.AsSpan(0, content.Length - 32))];

    [Fact]
    public void Damaged_checkpoints_are_loaded_or_refused_with_one_line()
    {
        var dataDirectory = TinyRuns.Data(_folder, 64, 32);
        using var data = DatasetLocator.Load(dataDirectory);
        var options = TinyRuns.Options(dataDirectory);
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "tiny");
        using (var cancel = new CancellationTokenSource())
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Train(new CancelAfter(3, cancel), cancel.Token));
        }
        var path = Path.Combine(_folder.Path, "checkpoint.bin");
        Checkpoint.Save(trainer, path);

        Fuzzer.Run(seed: 12008, [new FuzzFile("checkpoint.bin", File.ReadAllBytes(path), Reseal)], folder =>
            Checkpoint.Load(trainer, Path.Combine(folder, "checkpoint.bin")));
    }
}
