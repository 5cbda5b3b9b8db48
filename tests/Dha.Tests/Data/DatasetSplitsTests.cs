using Dha.Data;
using static TorchSharp.torch;

namespace Dha.Tests.Data;

public class DatasetSplitsTests
{
    /// <summary>Image i has every pixel i and label i, so a subset shows which indices it took.</summary>
    internal static ImageDataset Indexed(int count) =>
        new(arange(count, ScalarType.Byte).reshape(count, 1, 1, 1).expand(count, 1, 2, 2).contiguous(),
            arange(count, ScalarType.Int64),
            Enumerable.Range(0, count).Select(i => $"c{i}").ToArray());

    [Fact]
    public void By_default_train_is_the_whole_set_and_validation_a_seeded_share_of_it()
    {
        using var train = Indexed(50);
        using var test = Indexed(3);

        using var splits = DatasetSplits.Create(train, test, valRatio: 0.1, heldOutValidation: false, seed: 4);
        using var again = DatasetSplits.Create(train, test, 0.1, false, seed: 4);
        using var other = DatasetSplits.Create(train, test, 0.1, false, seed: 5);

        Assert.Same(train, splits.Train);
        Assert.Same(test, splits.Test);
        var validation = splits.Validation.Labels.data<long>().ToArray();
        Assert.Equal(5, validation.Length);
        Assert.Equal(validation.Length, validation.Distinct().Count());
        Assert.Equal(validation, again.Validation.Labels.data<long>().ToArray());
        Assert.NotEqual(validation, other.Validation.Labels.data<long>().ToArray());
        // Shuffled, not simply the last five images.
        Assert.NotEqual([45L, 46, 47, 48, 49], validation);
        // Pixels travel with their labels.
        Assert.Equal(validation.Select(v => (byte)v), splits.Validation.Images[.., 0, 1, 1].data<byte>().ToArray());
    }

    [Fact]
    public void Held_out_validation_is_removed_from_train_and_together_they_cover_the_set()
    {
        using var train = Indexed(20);
        using var test = Indexed(2);

        using var splits = DatasetSplits.Create(train, test, valRatio: 0.25, heldOutValidation: true, seed: 1);
        using var shared = DatasetSplits.Create(train, test, valRatio: 0.25, heldOutValidation: false, seed: 1);

        var trainLabels = splits.Train.Labels.data<long>().ToArray();
        var validation = splits.Validation.Labels.data<long>().ToArray();
        Assert.Equal(15, trainLabels.Length);
        Assert.Equal(5, validation.Length);
        Assert.Empty(trainLabels.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), trainLabels.Concat(validation).Order());
        // The same seed picks the same validation images in both modes.
        Assert.Equal(validation, shared.Validation.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Disposing_the_splits_leaves_the_callers_datasets_usable()
    {
        using var train = Indexed(10);
        using var test = Indexed(2);

        DatasetSplits.Create(train, test, 0.2, false, 0).Dispose();

        Assert.Equal(10, train.CountPerClass().Sum());
        Assert.Equal(2, test.CountPerClass().Sum());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.01)]
    public void Impossible_validation_ratios_are_refused(double ratio)
    {
        using var train = Indexed(10);
        using var test = Indexed(2);

        Assert.Throws<InvalidInputException>(() => DatasetSplits.Create(train, test, ratio, heldOutValidation: true, seed: 0));
    }
}
