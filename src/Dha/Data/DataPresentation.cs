using static TorchSharp.torch;

namespace Dha.Data;

/// <summary>
/// Presents a dataset in another layout before a run uses it: zero-padded to a larger square, and a grey channel
/// repeated to three. The authors ran Fashion-MNIST this way (28 px padded to 32, three channels: the CIFAR layout
/// their network code expects), so the reference preset can run the same images.
/// </summary>
internal static class DataPresentation
{
    /// <summary>
    /// The dataset with every image zero-padded, centred (an odd remainder goes right and down), to
    /// <paramref name="padTo"/> (0 = as read) and its one channel repeated to <paramref name="channels"/> (0 = as
    /// read); <paramref name="data"/> itself when neither changes anything. A new dataset owns copies: the caller
    /// disposes both.
    /// </summary>
    /// <exception cref="InvalidInputException">The images are larger than <paramref name="padTo"/>, or have neither 1 nor <paramref name="channels"/> channels.</exception>
    public static LoadedDataset Present(LoadedDataset data, int padTo, int channels)
    {
        ArgumentNullException.ThrowIfNull(data);
        var train = data.Train;
        if (padTo > 0 && (train.Height > padTo || train.Width > padTo))
        {
            throw new InvalidInputException($"data.pad_to: {padTo} is smaller than the images ({train.Height}x{train.Width} in {data.Path})");
        }
        if (channels > 0 && train.Channels != channels && train.Channels != 1)
        {
            throw new InvalidInputException($"data.channels: {channels} channels can only be made from grey images; {data.Path} has {train.Channels}");
        }
        var pads = padTo > 0 && (train.Height != padTo || train.Width != padTo);
        var repeats = channels > 0 && train.Channels != channels;
        if (!pads && !repeats)
        {
            return data;
        }
        var presented = data with { Train = Present(train, pads ? padTo : 0, repeats ? channels : 0), Test = Present(data.Test, pads ? padTo : 0, repeats ? channels : 0) };
        return pads ? presented with { SizeReason = $"{padTo}x{padTo}: zero-padded from {data.SizeReason} (data.pad_to)" } : presented;
    }

    private static ImageDataset Present(ImageDataset data, int padTo, int channels)
    {
        using var scope = NewDisposeScope();
        var images = data.Images;
        if (padTo > 0)
        {
            int top = (padTo - data.Height) / 2, left = (padTo - data.Width) / 2;
            images = nn.functional.pad(images, [left, padTo - data.Width - left, top, padTo - data.Height - top]);
        }
        if (channels > 0)
        {
            images = images.expand(-1, channels, -1, -1);
        }
        return new ImageDataset(images.contiguous().MoveToOuterDisposeScope(), data.Labels.clone().MoveToOuterDisposeScope(), data.ClassNames);
    }
}
