using Dha.Cli;

namespace Dha.Tests.Cli;

public class DurationTextTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("4m", 240)]
    [InlineData("1h", 3600)]
    [InlineData("1.5h", 5400)]
    [InlineData(" 4M ", 240)]
    [InlineData("0.5m", 30)]
    public void Reads_a_number_with_a_unit(string text, double seconds)
    {
        Assert.Equal(seconds, DurationText.Seconds(text));
    }

    [Theory]
    [InlineData("4")]
    [InlineData("m")]
    [InlineData("")]
    [InlineData("-4m")]
    [InlineData("0s")]
    [InlineData("4x")]
    [InlineData("4 m")]
    [InlineData("4m30s")]
    [InlineData("1e3s")]
    public void Refuses_anything_else_with_one_line_naming_the_option(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => DurationText.Seconds(text));
        Assert.Equal($"--time {text}: expected a positive duration with a unit, e.g. 90s, 4m or 1h", e.Message);
    }
}
