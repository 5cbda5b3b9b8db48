using Dha.Data;

namespace Dha.Tests.Data;

public class StratifiedSplitTests
{
    private static int[] Labels(params int[] perClass) =>
        perClass.SelectMany((count, label) => Enumerable.Repeat(label, count)).ToArray();

    [Fact]
    public void Each_class_gives_the_same_share_to_the_test_set()
    {
        var labels = Labels(50, 10, 5, 2, 1);

        var (train, test) = new StratifiedSplit(3, 0.2).Apply(labels, 5);

        Assert.Equal([10, 2, 1, 1, 0], Enumerable.Range(0, 5).Select(c => test.Count(i => labels[i] == c)));
        Assert.Equal(labels.Length, train.Length + test.Length);
        Assert.Equal(Enumerable.Range(0, labels.Length), train.Concat(test).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(test.Order(), test);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var labels = Labels(40, 40);

        var first = new StratifiedSplit(7, 0.25).Apply(labels, 2);
        var again = new StratifiedSplit(7, 0.25).Apply(labels, 2);
        var other = new StratifiedSplit(8, 0.25).Apply(labels, 2);

        Assert.Equal(first.Test, again.Test);
        Assert.NotEqual(first.Test, other.Test);
        Assert.Equal(20, other.Test.Length);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_fraction_outside_zero_to_one_is_refused(double fraction)
    {
        var error = Assert.Throws<InvalidInputException>(() => new StratifiedSplit(0, fraction).Apply([0, 0], 1));

        Assert.StartsWith("test fraction ", error.Message);
    }
}
