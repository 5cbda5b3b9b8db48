using Dha.Data;

namespace Dha.Tests.Data;

public class ImageSideTests
{
    [Fact]
    public void Images_of_one_size_keep_it()
    {
        Assert.Equal((28, "28x28: every image is 28x28"), ImageSide.Choose([(28, 28), (28, 28)], 0, 0));
        Assert.Equal((48, "48x48: every image is 64x48 (shorter side, centre crop)"), ImageSide.Choose([(64, 48)], 0, 0));
    }

    [Fact]
    public void Mixed_sizes_take_the_median_shorter_side()
    {
        (int, int)[] sizes = [(500, 375), (48, 60), (100, 70), (64, 90)];

        Assert.Equal((90, "90x90: median shorter side of 5 images of mixed sizes (shorter sides 48-375)"), ImageSide.Choose([(500, 375), (48, 60), (100, 90), (64, 90), (300, 200)], 0, 0));
        // Even count: the lower median, a side some image has.
        Assert.Equal(64, ImageSide.Choose(sizes, 0, 0).Side);
    }

    [Fact]
    public void The_cap_brings_a_larger_own_size_down_but_not_an_explicit_one()
    {
        Assert.Equal((96, "96x96: capped from 256 by the max image size; every image is 256x256"), ImageSide.Choose([(256, 256)], 0, 96));
        Assert.Equal((28, "28x28: every image is 28x28"), ImageSide.Choose([(28, 28)], 0, 96));
        Assert.Equal((128, "128x128: the image size asked for"), ImageSide.Choose([(256, 256)], 128, 96));
    }

    [Fact]
    public void Negative_sizes_are_refused()
    {
        Assert.Equal("image size -1: must be positive (or 0 for the images' own size)",
            Assert.Throws<InvalidInputException>(() => ImageSide.Choose([(2, 2)], -1, 0)).Message);
        Assert.Equal("max image size -5: must be positive (or 0 for no cap)",
            Assert.Throws<InvalidInputException>(() => ImageSide.Choose([(2, 2)], 0, -5)).Message);
    }
}
