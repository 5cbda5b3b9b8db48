using static TorchSharp.torch;

namespace Dha.Search;

/// <summary>
/// The training loss of every trainer: cross-entropy of the logits plus <c>network.aux_weight</c> times that of the
/// auxiliary head, both with <c>train.label_smoothing</c> (ε): the target of a sample of class y over K classes is
/// q = (1 − ε)·onehot(y) + ε/K, and its loss −Σₖ qₖ·log softmax(logits)ₖ. ε = 0 is plain cross-entropy.
/// </summary>
internal static class TrainingLoss
{
    /// <param name="logits">[B, K] of the main head.</param>
    /// <param name="aux">[B, K] of the auxiliary head, or null.</param>
    /// <param name="labels">[B] class indices.</param>
    /// <param name="options">The run's options (aux weight, label smoothing).</param>
    /// <param name="reduction">None: one loss per sample (what the policy gradient takes); Mean: their mean.</param>
    public static Tensor Of(Tensor logits, Tensor? aux, Tensor labels, SearchOptions options, nn.Reduction reduction)
    {
        var smoothing = options.Train.LabelSmoothing;
        var loss = nn.functional.cross_entropy(logits, labels, reduction: reduction, label_smoothing: smoothing);
        return aux is null
            ? loss
            : loss + options.Network.AuxWeight * nn.functional.cross_entropy(aux, labels, reduction: reduction, label_smoothing: smoothing);
    }
}
