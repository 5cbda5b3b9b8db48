using Dha.Augment;
using static Dha.Tests.Augment.Images;
using static TorchSharp.torch;

namespace Dha.Tests.Augment;

public class OpTableTests
{
    [Theory]
    // Centred (design.md "new B").
    [InlineData(nameof(AugmentOp.Rotate), 8, false, LevelMap.Centred, 30)]
    [InlineData(nameof(AugmentOp.Rotate), 4, true, LevelMap.Centred, -15)]
    [InlineData(nameof(AugmentOp.Posterize), 8, false, LevelMap.Centred, 4)]
    [InlineData(nameof(AugmentOp.Posterize), 4, false, LevelMap.Centred, 6)]
    [InlineData(nameof(AugmentOp.Posterize), 1, false, LevelMap.Centred, 7)]      // ⌊7.5⌋
    [InlineData(nameof(AugmentOp.Posterize), 0, false, LevelMap.Centred, 8)]
    [InlineData(nameof(AugmentOp.Solarize), 8, false, LevelMap.Centred, 0)]
    [InlineData(nameof(AugmentOp.Solarize), 2, false, LevelMap.Centred, 192)]
    [InlineData(nameof(AugmentOp.Color), 8, false, LevelMap.Centred, 1.9)]
    [InlineData(nameof(AugmentOp.Contrast), 8, true, LevelMap.Centred, 0.1)]
    [InlineData(nameof(AugmentOp.Brightness), 4, true, LevelMap.Centred, 0.55)]
    [InlineData(nameof(AugmentOp.Sharpness), 4, false, LevelMap.Centred, 1.45)]
    [InlineData(nameof(AugmentOp.ShearX), 8, true, LevelMap.Centred, -0.3)]
    [InlineData(nameof(AugmentOp.ShearY), 4, false, LevelMap.Centred, 0.15)]
    [InlineData(nameof(AugmentOp.TranslateXRel), 8, false, LevelMap.Centred, 0.45)]
    [InlineData(nameof(AugmentOp.TranslateYRel), 8, true, LevelMap.Centred, -0.45)]
    [InlineData(nameof(AugmentOp.Rotate), 100, false, LevelMap.Centred, 30)]      // levels are clipped to 8
    // Reference (dha-method §5.1).
    [InlineData(nameof(AugmentOp.Posterize), 0, false, LevelMap.Reference, 1)]
    [InlineData(nameof(AugmentOp.Posterize), 1, false, LevelMap.Reference, 1)]    // ⌊1.375⌋
    [InlineData(nameof(AugmentOp.Posterize), 8, false, LevelMap.Reference, 4)]
    [InlineData(nameof(AugmentOp.Solarize), 1, false, LevelMap.Reference, 32)]
    [InlineData(nameof(AugmentOp.Solarize), 0.5, false, LevelMap.Reference, 16)]
    [InlineData(nameof(AugmentOp.Color), 0, true, LevelMap.Reference, 0.1)]       // no sign under the reference map
    [InlineData(nameof(AugmentOp.Brightness), 8, true, LevelMap.Reference, 1.9)]
    [InlineData(nameof(AugmentOp.Sharpness), 1, false, LevelMap.Reference, 0.325)]
    [InlineData(nameof(AugmentOp.Rotate), 1, true, LevelMap.Reference, -3.75)]
    [InlineData(nameof(AugmentOp.TranslateXRel), 1, false, LevelMap.Reference, 0.05625)]
    public void Level_maps_give_the_arguments_of_the_table(string op, double level, bool negate, LevelMap map, double expected)
    {
        // the op by name: a public test method cannot take the internal AugmentOp
        Assert.Equal(expected, OpTable.Argument(Enum.Parse<AugmentOp>(op), level, negate, map), 12);
    }

    [Fact]
    public void Level_0_of_every_op_with_an_argument_is_the_identity_under_the_centred_map()
    {
        using var scope = NewDisposeScope();
        // AutoContrast and Equalize take no level (they are fixed image functions), so they are not in this list.
        AugmentOp[] withLevel =
        [
            AugmentOp.Rotate, AugmentOp.Posterize, AugmentOp.Solarize, AugmentOp.Color, AugmentOp.Contrast,
            AugmentOp.Brightness, AugmentOp.Sharpness, AugmentOp.ShearX, AugmentOp.ShearY, AugmentOp.TranslateXRel,
            AugmentOp.TranslateYRel, AugmentOp.Identity,
        ];
        foreach (var images in new[] { Random(11, 2, 1, 6, 5), Random(12, 2, 3, 5, 6) })
        {
            var fill = Enumerable.Repeat((byte)128, (int)images.shape[1]).ToArray();
            foreach (var op in withLevel)
            {
                var args = new[] { OpTable.Argument(op, 0, false, LevelMap.Centred), OpTable.Argument(op, 0, true, LevelMap.Centred) };
                Assert.True(Values(images).SequenceEqual(Values(OpTable.Apply(op, images, args, fill))), $"{op} at level 0 changed the image");
            }
        }
    }

    [Fact]
    public void Level_0_is_not_the_identity_for_posterize_under_the_reference_map()
    {
        using var scope = NewDisposeScope();
        // The asymmetry design.md "new B" removes: the reference's level 0 keeps a single bit.
        var images = U8([1, 100, 130, 255], 1, 1, 2, 2);
        var args = new[] { OpTable.Argument(AugmentOp.Posterize, 0, false, LevelMap.Reference) };
        Assert.Equal([0, 0, 128, 128], Values(OpTable.Apply(AugmentOp.Posterize, images, args, [0])));
    }

    [Fact]
    public void Op_names_are_stable_text_and_round_trip()
    {
        Assert.Equal("TranslateXRel", AugmentOp.TranslateXRel.ToText());
        Assert.Equal(14, Enum.GetValues<AugmentOp>().Length);
        for (var i = 0; i < 14; i++)
        {
            Assert.Equal((AugmentOp)i, AugmentOpNames.Parse(((AugmentOp)i).ToText()));
        }
        Assert.Equal(AugmentOp.Identity, AugmentOpNames.Parse("identity"));
        Assert.Equal(13, (int)AugmentOp.Identity);
        Assert.Equal(3, (int)AugmentOp.Posterize);
        Assert.Throws<InvalidInputException>(() => AugmentOpNames.Parse("Cutout"));
    }
}
