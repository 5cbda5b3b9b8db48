using Dha.Data;

namespace Dha.Search;

/// <summary>The per-channel mean and standard deviation every image of a run is normalised with.</summary>
internal sealed record InputNormalisation(float[] Mean, float[] Std)
{
    /// <summary>The configured values where <c>data.mean</c>/<c>data.std</c> are set, else the training images' statistics.</summary>
    /// <exception cref="InvalidInputException">A configured value list does not match the images' channels.</exception>
    public static InputNormalisation Of(DataOptions data, ImageDataset train)
    {
        var (mean, std) = train.ChannelStatistics();
        if (data.Mean is { } m)
        {
            if (m.Length != train.Channels)
            {
                throw new InvalidInputException($"data.mean: {m.Length} values given, but the images have {train.Channels} channel(s)");
            }
            mean = m;
        }
        if (data.Std is { } s)
        {
            if (s.Length != train.Channels)
            {
                throw new InvalidInputException($"data.std: {s.Length} values given, but the images have {train.Channels} channel(s)");
            }
            std = s;
        }
        return new InputNormalisation(mean, std);
    }
}
