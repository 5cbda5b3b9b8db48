using Dha.Search;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Tests.Search;

public class TrainingLossTests
{
    private static readonly float[,] Logits = { { 2.0f, -1.0f, 0.5f, 0.0f }, { -0.3f, 1.2f, 0.7f, -2.0f }, { 0.1f, 0.2f, 0.3f, 0.4f } };
    private static readonly float[,] Aux = { { 0.0f, 1.0f, -1.0f, 0.5f }, { 1.5f, -0.5f, 0.0f, 0.2f }, { -1.0f, 0.0f, 2.0f, 1.0f } };
    private static readonly long[] Labels = [0, 2, 3];

    /// <summary>−Σₖ qₖ log softmax(z)ₖ with q = (1 − ε)·onehot(y) + ε/K, in doubles.</summary>
    private static double Smoothed(float[,] logits, int row, long label, double epsilon)
    {
        var k = logits.GetLength(1);
        var z = Enumerable.Range(0, k).Select(c => (double)logits[row, c]).ToArray();
        var logSum = Math.Log(z.Sum(Math.Exp));
        return -Enumerable.Range(0, k).Sum(c => ((c == label ? 1 - epsilon : 0) + epsilon / k) * (z[c] - logSum));
    }

    private static SearchOptions Options(double smoothing) =>
        new() { Train = new TrainOptions { LabelSmoothing = smoothing }, Network = new NetworkOptions { AuxWeight = 0.4 } };

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void The_per_sample_loss_is_the_smoothed_cross_entropy_of_both_heads_computed_by_hand(double epsilon)
    {
        using var scope = NewDisposeScope();
        var perSample = TrainingLoss.Of(tensor(Logits), tensor(Aux), tensor(Labels), Options(epsilon), nn.Reduction.None).data<float>().ToArray();
        var mean = TrainingLoss.Of(tensor(Logits), tensor(Aux), tensor(Labels), Options(epsilon), nn.Reduction.Mean).ToDouble();
        var expected = Enumerable.Range(0, 3).Select(i => Smoothed(Logits, i, Labels[i], epsilon) + 0.4 * Smoothed(Aux, i, Labels[i], epsilon)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected[i], perSample[i], 5);
        }
        Assert.Equal(expected.Average(), mean, 5);
    }

    [Fact]
    public void Smoothing_changes_the_loss_and_zero_is_plain_cross_entropy_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var plain = nn.functional.cross_entropy(tensor(Logits), tensor(Labels), reduction: nn.Reduction.None);
        var zero = TrainingLoss.Of(tensor(Logits), null, tensor(Labels), Options(0), nn.Reduction.None);
        Assert.Equal(plain.data<float>().ToArray(), zero.data<float>().ToArray());
        var smoothed = TrainingLoss.Of(tensor(Logits), null, tensor(Labels), Options(0.1), nn.Reduction.None);
        Assert.NotEqual(plain.data<float>().ToArray(), smoothed.data<float>().ToArray());
    }
}
