using System.Diagnostics;
using Dha.Data;
using Dha.Export;
using Dha.Nas;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Dha.Tests.Export;

/// <summary>
/// Runs an exported model the two independent ways: ONNX Runtime on the file, fed as the README says (float32 NCHW,
/// pixel / 255), and TorchSharp's eval forward on the same uint8 images normalised by the library; then compares.
/// </summary>
internal static class OnnxModels
{
    /// <summary>The bound the export promises: max |Δlogit| between ONNX Runtime and TorchSharp.</summary>
    public const float Tolerance = 1e-4f;

    /// <summary>ONNX Runtime's logits [N, classes] for uint8 images [N, C, H, W].</summary>
    public static float[,] OnnxLogits(string onnxFile, Tensor uint8Images)
    {
        var shape = uint8Images.shape;
        var pixels = uint8Images.contiguous().data<byte>().ToArray().Select(b => b / 255f).ToArray();
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnxFile, options);
        using var input = OrtValue.CreateTensorValueFromMemory(pixels, shape);
        using var run = new RunOptions();
        using var outputs = session.Run(run, [OnnxExport.InputName], [input], [OnnxExport.OutputName]);
        var logits = outputs[0];
        var outputShape = logits.GetTensorTypeAndShape().Shape;
        Assert.Equal(shape[0], outputShape[0]);
        return ToMatrix(logits.GetTensorDataAsSpan<float>().ToArray(), (int)outputShape[0], (int)outputShape[1]);
    }

    /// <summary>TorchSharp's eval-mode logits [N, classes] for uint8 images [N, C, H, W].</summary>
    public static float[,] TorchLogits(FixedNetwork network, ModelManifest manifest, Tensor uint8Images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var logits = network.forward(Normalization.Normalize(uint8Images, manifest.Mean, manifest.Std)).Logits;
        return ToMatrix(logits.contiguous().data<float>().ToArray(), (int)logits.shape[0], (int)logits.shape[1]);
    }

    /// <summary>Same shape, max |Δ| within <see cref="Tolerance"/>, the same class for every image; returns max |Δ|.</summary>
    public static float AssertEquivalent(float[,] torch, float[,] onnx)
    {
        Assert.Equal(torch.GetLength(0), onnx.GetLength(0));
        Assert.Equal(torch.GetLength(1), onnx.GetLength(1));
        var maxDelta = 0f;
        for (var i = 0; i < torch.GetLength(0); i++)
        {
            for (var c = 0; c < torch.GetLength(1); c++)
            {
                maxDelta = Math.Max(maxDelta, Math.Abs(torch[i, c] - onnx[i, c]));
            }
            Assert.True(ArgMax(torch, i) == ArgMax(onnx, i), $"image {i}: TorchSharp says class {ArgMax(torch, i)}, ONNX Runtime {ArgMax(onnx, i)}");
        }
        Assert.True(maxDelta <= Tolerance, $"max |Δlogit| = {maxDelta:G3} > {Tolerance:G3}");
        return maxDelta;
    }

    public static int ArgMax(float[,] logits, int row)
    {
        var best = 0;
        for (var c = 1; c < logits.GetLength(1); c++)
        {
            if (logits[row, c] > logits[row, best])
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// The onnx package's own checker with full shape inference, in Debian's python3 (package python3-onnx, which
    /// .ci/run installs): an independent reader of the file that knows every operator's schema.
    /// </summary>
    public static void AssertOnnxCheckerAccepts(string onnxFile)
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), $"{python} not found: install Debian's python3-onnx");
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys, onnx; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print('ok')");
        start.ArgumentList.Add(onnxFile);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"onnx.checker rejected {onnxFile} (is python3-onnx installed?): {stderr.Result}");
        Assert.Equal("ok", stdout.Trim());
    }

    private static float[,] ToMatrix(float[] values, int rows, int columns)
    {
        Assert.Equal(rows * columns, values.Length);
        var matrix = new float[rows, columns];
        Buffer.BlockCopy(values, 0, matrix, 0, values.Length * sizeof(float));
        return matrix;
    }
}
