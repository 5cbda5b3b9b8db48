using Dha.Search;

namespace Dha.Tests.Search;

public class CropPaddingOptionTests
{
    [Theory]
    [InlineData("dha", 32, 0)]
    [InlineData("nas+da", 32, 0)]
    [InlineData("nas", 32, 4)]
    [InlineData("nas+hpo", 32, 4)]
    [InlineData("nas", 28, 4)]   // 3.5 rounds up
    [InlineData("nas", 64, 8)]
    [InlineData("nas", 20, 3)]   // 2.5 rounds up
    [InlineData("nas", 224, 28)]
    public void By_default_the_mode_decides_the_padding_of_the_augmenter(string mode, int side, int expected)
    {
        var options = Presets.Get("small").WithOverrides([$"mode={mode}"]);
        Assert.Equal(DataOptions.AutoCropPadding, options.Data.CropPadding);
        var augmenter = TrainerBuilder.Augmenter(options, new InputNormalisation([0.5f], [0.25f]), side, options.Mode.LearnsPolicy());
        Assert.Equal(expected, augmenter.Settings.CropPadding);
    }

    [Theory]
    [InlineData("dha", 2)]
    [InlineData("nas", 0)]
    [InlineData("nas", 6)]
    public void A_set_padding_is_used_in_every_mode(string mode, int padding)
    {
        var options = Presets.Get("small").WithOverrides([$"mode={mode}", $"data.crop_padding={padding}"]);
        var augmenter = TrainerBuilder.Augmenter(options, new InputNormalisation([0.5f], [0.25f]), 32, options.Mode.LearnsPolicy());
        Assert.Equal(padding, augmenter.Settings.CropPadding);
    }

    [Fact]
    public void A_padding_below_minus_one_names_the_key()
    {
        var error = Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, ["data.crop_padding=-2"]));
        Assert.StartsWith("--set data.crop_padding=-2:", error.Message);
    }
}
