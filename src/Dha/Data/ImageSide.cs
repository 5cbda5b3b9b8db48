namespace Dha.Data;

/// <summary>
/// Chooses the one square side a set of images of any sizes is brought to, and says why. An explicit size is taken as
/// given. Otherwise the data's own size: the size every image has, or, for mixed sizes, the median of the shorter
/// sides (robust to a few huge or tiny images, and a size the data really has, so most images are brought down and
/// none far up). A cap (a preset's "small images" rule) brings a larger choice down to it. Training at the data's own
/// size matters: 28×28 images blown up to 224×224 train slower and worse.
/// </summary>
internal static class ImageSide
{
    /// <param name="sizes">Width and height of every image (at least one).</param>
    /// <param name="requested">The side asked for; 0 = the images' own size.</param>
    /// <param name="max">The largest side chosen from the data; 0 = no cap. An explicit request is not capped.</param>
    public static (int Side, string Reason) Choose(IReadOnlyList<(int Width, int Height)> sizes, int requested, int max)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        Check(requested, max);
        if (requested > 0)
        {
            return (requested, $"{requested}x{requested}: the image size asked for");
        }
        var (side, why) = Own(sizes);
        if (max > 0 && side > max)
        {
            return (max, $"{max}x{max}: capped from {side} by the max image size; {why}");
        }
        return (side, $"{side}x{side}: {why}");
    }

    /// <exception cref="InvalidInputException">A negative size or cap.</exception>
    public static void Check(int requested, int max)
    {
        if (requested < 0)
        {
            throw new InvalidInputException($"image size {requested}: must be positive (or 0 for the images' own size)");
        }
        if (max < 0)
        {
            throw new InvalidInputException($"max image size {max}: must be positive (or 0 for no cap)");
        }
    }

    private static (int Side, string Why) Own(IReadOnlyList<(int Width, int Height)> sizes)
    {
        if (sizes.Count == 0)
        {
            throw new ArgumentException("at least one image size is needed", nameof(sizes));
        }
        var (width, height) = sizes[0];
        if (sizes.All(size => size == (width, height)))
        {
            var shorter = Math.Min(width, height);
            return (shorter, width == height
                ? $"every image is {width}x{height}"
                : $"every image is {width}x{height} (shorter side, centre crop)");
        }
        var sides = sizes.Select(size => Math.Min(size.Width, size.Height)).Order().ToArray();
        // The lower median: with an even count it is still a side some image has.
        var median = sides[(sides.Length - 1) / 2];
        return (median, $"median shorter side of {sides.Length} images of mixed sizes (shorter sides {sides[0]}-{sides[^1]})");
    }
}
