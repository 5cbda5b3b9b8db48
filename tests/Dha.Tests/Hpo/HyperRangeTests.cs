using Dha.Hpo;

namespace Dha.Tests.Hpo;

public class HyperRangeTests
{
    [Fact]
    public void Midpoint_and_clamp_follow_the_bounds()
    {
        var range = new HyperRange(0.001, 0.05);

        Assert.Equal(0.0255, range.Midpoint, 15);
        Assert.Equal(0.001, range.Clamp(-3.0));
        Assert.Equal(0.05, range.Clamp(7.0));
        Assert.Equal(0.02, range.Clamp(0.02));
        Assert.True(double.IsNaN(range.Clamp(double.NaN)));
    }

    [Fact]
    public void A_single_point_range_is_allowed()
    {
        var range = new HyperRange(0.1, 0.1);

        Assert.Equal(0.1, range.Midpoint);
        Assert.Equal(0.1, range.Clamp(0.5));
    }

    [Theory]
    [InlineData(0.05, 0.001, "must not exceed")]
    [InlineData(-0.1, 0.5, "must not be negative")]
    [InlineData(double.NaN, 0.5, "finite")]
    [InlineData(0.0, double.PositiveInfinity, "finite")]
    public void Invalid_ranges_are_rejected_with_a_clear_message(double min, double max, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => new HyperRange(min, max));

        Assert.Contains(expected, error.Message);
        Assert.Contains("hyper-parameter range", error.Message);
    }
}
