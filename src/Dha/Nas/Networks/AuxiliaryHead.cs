using System.Diagnostics.CodeAnalysis;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// The auxiliary classifier on the output of cell ⌊2L/3⌋ (loss weight 0.4, training only): ReLU, AvgPool 5×5
/// (stride 3 for small images, 2 for large), Conv1×1 → 128, BN, ReLU, Conv → 768, BN, ReLU, Linear.
/// DARTS sizes the second conv 2×2 for CIFAR's 8×8 maps; here the pool window is clipped to the map and the conv
/// covers whatever the pool leaves, so 7×7 (28-px inputs) and 2×2 (8-px inputs) maps also give a 1×1 feature.
/// </summary>
[SuppressMessage("Style", "IDE1006", Justification = "module field names are state-dict keys (see .editorconfig)")]
internal sealed class AuxiliaryHead : nn.Module<Tensor, Tensor>
{
    private readonly AvgPool2d pool;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Linear classifier;

    public AuxiliaryHead(int channels, int inputSize, int classes, int poolStride)
        : base(nameof(AuxiliaryHead))
    {
        var window = Math.Min(5, inputSize);
        var pooled = ((inputSize - window) / poolStride) + 1;
        pool = nn.AvgPool2d(window, stride: poolStride, count_include_pad: false);
        conv1 = nn.Conv2d(channels, 128, 1, bias: false);
        bn1 = nn.BatchNorm2d(128);
        conv2 = nn.Conv2d(128, 768, pooled, bias: false);
        bn2 = nn.BatchNorm2d(768);
        classifier = nn.Linear(768, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = pool.call(nn.functional.relu(input));
        x = nn.functional.relu(bn1.call(conv1.call(x)));
        x = nn.functional.relu(bn2.call(conv2.call(x)));
        return classifier.call(x.flatten(1)).MoveToOuterDisposeScope();
    }
}
