using Dha.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Dha.Evaluation;

/// <summary>Runs a trained classifier over a dataset: the shared evaluation of a search, a run's test split and <c>dha evaluate</c>.</summary>
internal static class Evaluator
{
    /// <summary>
    /// Runs <paramref name="logits"/> (which must put its network in eval mode) over the dataset in order, without
    /// augmentation: images are only normalised.
    /// </summary>
    public static ClassificationMetrics Evaluate(Func<Tensor, Tensor> logits, ImageDataset data, float[] mean, float[] std, int batchSize = 256)
    {
        var classes = data.ClassCount;
        var confusion = new long[classes, classes];
        var k = ClassificationMetrics.TopKOf(classes);
        double lossSum = 0;
        long topK = 0;
        var loader = new BatchLoader(data, batchSize, seed: 0, stream: "evaluate", shuffle: false, mean, std) { SafePoints = true };
        using (no_grad())
        {
            foreach (var batch in loader.Epoch(0))
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var output = logits(b.Images);
                lossSum += nn.functional.cross_entropy(output, b.Labels, reduction: nn.Reduction.Sum).ToDouble();
                topK += output.topk(k, dim: 1).indexes.eq(b.Labels.unsqueeze(1)).any(1).sum().ToInt64();
                var predicted = output.argmax(1).data<long>().ToArray();
                var truth = b.Labels.data<long>().ToArray();
                for (var i = 0; i < predicted.Length; i++)
                {
                    confusion[truth[i], predicted[i]]++;
                }
            }
        }
        long correct = 0, total = 0;
        var perClass = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            long row = 0;
            for (var p = 0; p < classes; p++)
            {
                row += confusion[c, p];
            }
            correct += confusion[c, c];
            total += row;
            perClass[c] = row == 0 ? double.NaN : (double)confusion[c, c] / row;
        }
        return new ClassificationMetrics(total == 0 ? 0 : (double)correct / total, total == 0 ? 0 : lossSum / total, perClass, confusion, data.ClassNames,
            total == 0 ? 0 : (double)topK / total);
    }
}
