using Dha.Augment;
using Dha.Data;
using Dha.Search;
using Dha.Tests.Data;

namespace Dha.Tests.Search;

public sealed class ScheduledAugmentationTests
{
    [Fact]
    public void Each_consumed_batch_gets_the_op_pairs_its_own_images_were_augmented_with()
    {
        using var data = DatasetSplitsTests.Indexed(20);
        var augmenter = new BatchAugmenter(new AugmentSettings([0.5f], [0.25f], CutoutSize: 0, HorizontalFlip: true, UsePolicy: true));
        var scheduled = new ScheduledAugmentation(augmenter);
        var loader = new BatchLoader(data, 6, seed: 4, "train", shuffle: true, [0.5f], [0.25f], scheduled);

        var b = 0;
        foreach (var batch in loader.Epoch(1))
        {
            using (batch)
            using (var opPairs = scheduled.Consumed())
            {
                // the same batch augmented directly, outside the loader: the images are their indices' pixels
                var pixels = data.Images.index_select(0, batch.Labels);
                var direct = augmenter.Prepare(Seeds.For(4, "train/transform", 1, b))(pixels);
                Assert.NotNull(opPairs);
                Assert.Equal(direct.OpPairs!.data<long>().ToArray(), opPairs.data<long>().ToArray());
                Assert.Equal(direct.Images.data<float>().ToArray(), batch.Images.data<float>().ToArray());
                b++;
            }
        }

        Assert.Equal(4, b);
        Assert.Null(scheduled.Consumed());
    }
}
