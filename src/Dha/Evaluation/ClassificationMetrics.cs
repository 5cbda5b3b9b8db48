namespace Dha.Evaluation;

/// <summary>Accuracy, per-class accuracy and the confusion matrix of a classifier on a dataset.</summary>
/// <param name="Accuracy">Share of images whose highest logit is their class (top-1).</param>
/// <param name="Loss">Mean cross-entropy.</param>
/// <param name="ClassAccuracy">Top-1 accuracy per true class; NaN for a class without images.</param>
/// <param name="Confusion">Images per (true class, predicted class).</param>
/// <param name="ClassNames">The class names, by index.</param>
/// <param name="Top5Accuracy">
/// Share of images whose class is among the <see cref="TopK"/> highest logits (ties broken by torch's <c>topk</c>).
/// </param>
public sealed record ClassificationMetrics(double Accuracy, double Loss, double[] ClassAccuracy, long[,] Confusion, IReadOnlyList<string> ClassNames,
    double Top5Accuracy)
{
    /// <summary>The k of <see cref="Top5Accuracy"/>: 5, or the class count when there are fewer (then every image counts).</summary>
    public int TopK => TopKOf(ClassNames.Count);

    internal static int TopKOf(int classes) => Math.Min(5, classes);

    /// <summary>The number of images evaluated.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var c in Confusion)
            {
                n += c;
            }
            return n;
        }
    }
}
