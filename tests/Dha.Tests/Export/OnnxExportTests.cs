using Dha.Data;
using Dha.Export;
using Dha.Nas;
using Dha.Tests.Cli;
using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Tests.Export;

/// <summary>
/// Exported networks compute what TorchSharp computes: randomly initialised networks whose batch norms carry random,
/// non-trivial running statistics and affine parameters (so eval-mode batch norm is really exercised), on real
/// Fashion-MNIST test images or random images, compared logit by logit in ONNX Runtime.
/// </summary>
public sealed class OnnxExportTests
{
    /// <summary>
    /// Every op in both cell types; in the reduction cell every op at stride 2 (on the cell inputs, skip_connect as
    /// FactorizedReduce) and skip_connect at stride 1.
    /// </summary>
    internal static readonly Genotype AllOpsStride2 = Genotype.Parse(
        "normal=[max_pool_3x3@0 avg_pool_3x3@1 | skip_connect@0 sep_conv_3x3@2 | sep_conv_5x5@1 dil_conv_3x3@3 | dil_conv_5x5@4 skip_connect@2] "
        + "reduce=[max_pool_3x3@0 avg_pool_3x3@1 | skip_connect@1 sep_conv_3x3@0 | sep_conv_5x5@1 dil_conv_3x3@0 | dil_conv_5x5@1 skip_connect@4]");

    /// <summary>Every op in the normal cell again, in other places; in the reduction cell the other ops at stride 1.</summary>
    private static readonly Genotype AllOpsStride1 = Genotype.Parse(
        "normal=[dil_conv_5x5@0 dil_conv_3x3@1 | sep_conv_5x5@2 avg_pool_3x3@1 | max_pool_3x3@3 skip_connect@2 | sep_conv_3x3@4 skip_connect@0] "
        + "reduce=[skip_connect@0 sep_conv_3x3@1 | max_pool_3x3@2 sep_conv_3x3@2 | dil_conv_3x3@2 sep_conv_5x5@3 | dil_conv_5x5@4 avg_pool_3x3@3]");

    [Fact]
    public void The_test_genotypes_use_every_op_in_both_cells_at_both_strides_of_the_reduction_cell()
    {
        foreach (var type in new[] { CellType.Normal, CellType.Reduce })
        {
            Assert.Equal(Primitives.All, AllOpsStride2.Cell(type).Concat(AllOpsStride1.Cell(type)).Select(e => e.Op).Distinct().Order());
        }
        Assert.Equal(Primitives.All, AllOpsStride2.Reduce.Where(e => e.Input < 2).Select(e => e.Op).Distinct().Order());
        Assert.Equal(Primitives.All, AllOpsStride2.Reduce.Concat(AllOpsStride1.Reduce).Where(e => e.Input >= 2).Select(e => e.Op).Distinct().Order());
    }

    [Fact]
    public void Cifar_stem_grey_network_matches_torchsharp_on_real_fashion_mnist_test_images()
    {
        using var images = ShippedTestImages(24);
        AssertExportMatches(AllOpsStride2, new NetworkShape(1, 28, 4, 3, 10, Auxiliary: true), images, seed: 1);
    }

    [Fact]
    public void Cifar_stem_grey_network_with_the_other_genotype_matches_torchsharp_on_real_images()
    {
        using var images = ShippedTestImages(24);
        AssertExportMatches(AllOpsStride1, new NetworkShape(1, 28, 4, 3, 10, Auxiliary: true), images, seed: 2);
    }

    [Theory]
    [InlineData(nameof(AllOpsStride2), 3, 15, 5)] // odd size: FactorizedReduce pads 15 px maps (in a reduction cell and after it)
    [InlineData(nameof(AllOpsStride1), 3, 15, 5)]
    [InlineData(nameof(AllOpsStride2), 3, 128, 3)] // the ImageNet stem from 128 px on
    [InlineData(nameof(AllOpsStride1), 1, 130, 4)] // ImageNet stem, grey, odd sizes after the stem (130 → 65 → 33 → 17)
    public void Network_matches_torchsharp_on_images_of_other_sizes_and_channels(string genotype, int channels, int size, int layers)
    {
        using var images = channels == 1 ? ShippedTestImages(6, size) : Noise(6, channels, size);
        AssertExportMatches(genotype == nameof(AllOpsStride2) ? AllOpsStride2 : AllOpsStride1,
            new NetworkShape(channels, size, 4, layers, 5, Auxiliary: true), images, seed: size + layers);
    }

    [Fact]
    public void The_graph_is_opset_13_without_the_auxiliary_head_and_names_its_input_output_and_classes()
    {
        using var bundle = RandomBundle(AllOpsStride2, new NetworkShape(3, 15, 4, 3, 5, Auxiliary: true), seed: 3);

        var model = OnnxExport.Build(bundle);

        Assert.Equal(OnnxExport.Opset, model.OpsetImport.Single(o => o.Domain == "").Version);
        Assert.True(OnnxExport.Opset >= 13);
        Assert.Equal(OnnxExport.InputName, model.Graph.Input.Single().Name);
        Assert.Equal([0, 3, 15, 15], model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue));
        Assert.Equal(OnnxExport.OutputName, model.Graph.Output.Single().Name);
        Assert.Equal("""["c0","c1","c2","c3","c4"]""", model.MetadataProps.Single(p => p.Key == "class_names").Value);
        // every float of the graph is a parameter or buffer the eval forward uses: all but the auxiliary head's
        var exported = model.Graph.Initializer.Where(t => t.DataType == (int)TensorProto.Types.DataType.Float)
            .Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        var auxiliary = bundle.Network.parameters().Sum(p => p.numel()) - bundle.Network.ParameterCount();
        Assert.True(auxiliary > 0);
        var runningStats = bundle.Network.named_modules().Where(m => !m.name.StartsWith("auxHead", StringComparison.Ordinal))
            .Select(m => m.module).OfType<BatchNorm2d>().Sum(bn => 2 * bn.num_features);
        Assert.Equal(bundle.Network.ParameterCount() + runningStats + 2 * 3, exported); // + mean and std of 3 channels
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "Dropout" or "Mul");
        var avgPool = model.Graph.Node.First(n => n.OpType == "AveragePool");
        Assert.Equal(0, avgPool.Attribute.Single(a => a.Name == "count_include_pad").I);
    }

    [Fact]
    public void The_onnx_checker_accepts_the_file_for_both_stems()
    {
        using var folder = new TempFolder();
        foreach (var (shape, name) in new[] { (new NetworkShape(1, 28, 4, 3, 10, true), "cifar"), (new NetworkShape(3, 128, 4, 3, 5, true), "imagenet") })
        {
            using var bundle = RandomBundle(AllOpsStride2, shape, seed: 4);
            var file = Path.Combine(folder.Path, $"{name}.onnx");
            OnnxExport.Write(bundle, file);
            OnnxModels.AssertOnnxCheckerAccepts(file);
        }
    }

    [Fact]
    public void Writing_to_a_folder_is_refused_with_one_line()
    {
        using var folder = new TempFolder();
        using var bundle = RandomBundle(AllOpsStride2, new NetworkShape(1, 8, 4, 3, 3, false), seed: 5);

        var error = Assert.Throws<InvalidInputException>(() => OnnxExport.Write(bundle, folder.Path));

        Assert.Equal($"{folder.Path}: is a folder; give the path of the .onnx file to write", error.Message);
    }

    private static void AssertExportMatches(Genotype genotype, NetworkShape shape, Tensor images, int seed)
    {
        using var folder = new TempFolder();
        using var bundle = RandomBundle(genotype, shape, seed, images);
        var file = Path.Combine(folder.Path, "model.onnx");

        OnnxExport.Write(bundle, file);

        var torch = OnnxModels.TorchLogits(bundle.Network, bundle.Manifest, images);
        var onnx = OnnxModels.OnnxLogits(file, images);
        OnnxModels.AssertEquivalent(torch, onnx);
        // a comparison of near-constant outputs would prove little: the logits must differ between images by far more
        // than the tolerance
        var spread = Enumerable.Range(0, torch.GetLength(1)).Max(c =>
        {
            var logits = Enumerable.Range(0, torch.GetLength(0)).Select(i => torch[i, c]).ToArray();
            return logits.Max() - logits.Min();
        });
        Assert.True(spread > 1000 * OnnxModels.Tolerance, $"logits barely vary across images ({spread:G3})");
    }

    /// <summary>The largest |logit| of the random networks on their images: the range of a trained network's logits.</summary>
    private const double TrainedLogitRange = 10;

    /// <summary>
    /// A fresh network of the shape as a bundle, every weight drawn from a generator seeded with <paramref name="seed"/>
    /// (not torch's global one) at the scale of torch's default initialisation. Each batch norm gets random affine
    /// parameters and random running statistics near those of <paramref name="calibration"/> (when given): far from 0 and 1,
    /// yet not so far that every image gives the same features. The largest |logit| on those images is then
    /// <see cref="TrainedLogitRange"/>.
    /// </summary>
    internal static ModelBundle RandomBundle(Genotype genotype, NetworkShape shape, int seed, Tensor? calibration = null)
    {
        var channels = shape.InputChannels;
        var manifest = new ModelManifest(ModelBundle.FormatVersion, genotype.ToString(), channels, shape.ImageSize, shape.Channels, shape.Layers,
            shape.Auxiliary, [.. Enumerable.Range(0, channels).Select(c => 0.3f + 0.1f * c)], [.. Enumerable.Range(0, channels).Select(c => 0.35f - 0.05f * c)],
            [.. Enumerable.Range(0, shape.Classes).Select(c => $"c{c}")], "random", null);
        var network = new FixedNetwork(shape, genotype);
        var norms = network.modules().OfType<BatchNorm2d>().ToList();
        using (var scope = NewDisposeScope())
        using (var generator = new Generator((ulong)seed))
        using (var noGrad = no_grad())
        {
            foreach (var conv in network.modules().OfType<Conv2d>())
            {
                var w = conv.weight!;
                w.copy_(randn(w.shape, generator: generator).mul_(Math.Sqrt(1.0 / (3 * w.shape[1] * w.shape[2] * w.shape[3]))));
            }
            var classifier = network.Classifier.weight!;
            classifier.copy_(randn(classifier.shape, generator: generator).div_(Math.Sqrt(classifier.shape[1])));
            network.Classifier.bias!.copy_(randn(network.Classifier.bias!.shape, generator: generator));
            if (calibration is not null)
            {
                // one training-mode forward with momentum 1 sets each running statistic to the batch's
                norms.ForEach(bn => bn.momentum = 1.0);
                network.train();
                network.forward(Normalization.Normalize(calibration, manifest.Mean, manifest.Std));
                norms.ForEach(bn => bn.momentum = 0.1);
            }
            foreach (var bn in norms)
            {
                var n = bn.num_features;
                bn.running_mean!.add_(randn(n, generator: generator).mul_(bn.running_var!.sqrt()).mul_(0.2));
                bn.running_var!.mul_(randn(n, generator: generator).mul_(0.4).exp_());
                bn.weight!.copy_(randn(n, generator: generator).mul_(0.3).add_(1.0));
                bn.bias!.copy_(randn(n, generator: generator).mul_(0.2));
            }
            network.eval();
            if (calibration is not null)
            {
                // cells add up their inputs, so random networks grow their logits with depth (to hundreds, where float32
                // alone differs by more than the tolerance); the classifier is scaled to a trained network's range
                var logits = network.forward(Normalization.Normalize(calibration, manifest.Mean, manifest.Std)).Logits;
                var factor = TrainedLogitRange / logits.abs().max().item<float>();
                network.Classifier.weight!.mul_(factor);
                network.Classifier.bias!.mul_(factor);
            }
        }
        return new ModelBundle(network, manifest);
    }

    /// <summary>The first test images of the shipped Fashion-MNIST subset, uint8 [N, 1, size, size] (resized bilinearly from 28 px).</summary>
    internal static Tensor ShippedTestImages(int count, int size = IdxFiles.Side)
    {
        using var scope = NewDisposeScope();
        var bytes = Enumerable.Range(0, count).SelectMany(i => IdxFiles.Image(TinyData.ShippedDirectory, "t10k-images-idx3-ubyte.gz", i)).ToArray();
        var images = tensor(bytes, [count, 1, IdxFiles.Side, IdxFiles.Side]);
        if (size != IdxFiles.Side)
        {
            images = nn.functional.interpolate(images.to_type(ScalarType.Float32), [size, size], mode: InterpolationMode.Bilinear)
                .round().clamp(0, 255).to_type(ScalarType.Byte);
        }
        return images.MoveToOuterDisposeScope();
    }

    /// <summary>Noise of a different brightness per image (plain uniform noise images all look alike to a network).</summary>
    private static Tensor Noise(int count, int channels, int size)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(42);
        var brightness = linspace(40, 255, count).reshape(count, 1, 1, 1);
        return rand([count, channels, size, size], generator: generator).mul(brightness).to_type(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
