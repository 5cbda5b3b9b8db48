namespace Dha.Evaluation;

/// <summary>Accuracy, per-class accuracy and the confusion matrix of a classifier on a dataset.</summary>
/// <param name="Accuracy">The share of images classified right, in [0, 1].</param>
/// <param name="Loss">The mean cross-entropy loss.</param>
/// <param name="ClassAccuracy">The accuracy on the images of each class, by class index (NaN for a class without images).</param>
/// <param name="Confusion">Image counts by [true class, predicted class].</param>
/// <param name="ClassNames">The class names, by class index.</param>
public sealed record ClassificationMetrics(double Accuracy, double Loss, double[] ClassAccuracy, long[,] Confusion, IReadOnlyList<string> ClassNames)
{
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
