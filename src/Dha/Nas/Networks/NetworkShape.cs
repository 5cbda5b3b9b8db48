namespace Dha.Nas;

/// <summary>
/// The macro shape of a DARTS-style network: input channels and image size (from the dataset), initial channels C,
/// number of cells L, number of classes, and whether the auxiliary head exists. Search and fixed networks built
/// from the same shape have the same layout, so weights can be copied between them.
/// </summary>
internal sealed record NetworkShape(int InputChannels, int ImageSize, int Channels, int Layers, int Classes, bool Auxiliary)
{
    /// <summary>Images at least this large get the ImageNet-style stem (three stride-2 convolutions).</summary>
    public const int LargeImageSize = 128;

    /// <summary>The paper's CIFAR network on which the parameter limit is measured: C=36, 20 cells, 10 classes, 3×32×32.</summary>
    public static NetworkShape ParameterLimitReference { get; } = new(3, 32, 36, 20, 10, Auxiliary: false);

    /// <summary>True when the ImageNet-style stem and auxiliary head are used.</summary>
    public bool IsLargeImage => ImageSize >= LargeImageSize;

    /// <summary>Index of the first reduction cell, ⌊L/3⌋.</summary>
    public int FirstReduction => Layers / 3;

    /// <summary>Index of the second reduction cell, ⌊2L/3⌋; the auxiliary head reads the output of this cell.</summary>
    public int SecondReduction => 2 * Layers / 3;

    /// <summary>Whether cell <paramref name="index"/> is a reduction cell.</summary>
    public bool IsReduction(int index) => index == FirstReduction || index == SecondReduction;

    internal void Validate()
    {
        if (InputChannels < 1 || ImageSize < 4 || Channels < 2 || Layers < 1 || Classes < 2)
        {
            throw new ArgumentException(
                $"NetworkShape: need InputChannels >= 1, ImageSize >= 4, Channels >= 2, Layers >= 1, Classes >= 2; got {this}");
        }
    }
}
