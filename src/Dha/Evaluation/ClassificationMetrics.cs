namespace Dha.Evaluation;

/// <summary>Accuracy, per-class accuracy and the confusion matrix of a classifier on a dataset.</summary>
public sealed record ClassificationMetrics(double Accuracy, double Loss, double[] ClassAccuracy, long[,] Confusion, IReadOnlyList<string> ClassNames)
{
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
