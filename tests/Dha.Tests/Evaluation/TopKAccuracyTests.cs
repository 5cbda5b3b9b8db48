using Dha.Data;
using Dha.Evaluation;
using static TorchSharp.torch;

namespace Dha.Tests.Evaluation;

public class TopKAccuracyTests
{
    /// <summary>
    /// Evaluates a fixed table of logits: image i is a 1×1 image of grey level i, so the "network" looks its row up
    /// by that level; batches of 3 make the images span several batches.
    /// </summary>
    private static ClassificationMetrics Evaluate(float[,] logits, int[] labels)
    {
        var classes = logits.GetLength(1);
        using var data = ImageDataset.FromPixels([.. Enumerable.Range(0, labels.Length).Select(i => (byte)i)], 1, 1, 1, labels,
            [.. Enumerable.Range(0, classes).Select(c => $"c{c}")]);
        using var table = tensor(logits);
        return Evaluator.Evaluate(images => table.index_select(0, (images.flatten() * 255).round().to_type(ScalarType.Int64)), data, [0f], [1f], batchSize: 3);
    }

    [Fact]
    public void Top5_counts_the_images_whose_class_is_among_the_five_highest_logits_worked_by_hand()
    {
        // 7 classes; the true class ranks 1st, 5th, 6th and 4th: top-1 1/4, top-5 3/4
        float[,] logits =
        {
            { 9, 1, 2, 3, 4, 5, 6 },                    // label 0 (9): rank 1
            { 7, 6, 5, 4, 3, 2, 1 },                    // label 4 (3): 7, 6, 5, 4 above it, rank 5
            { 1, 2, 3, 4, 5, 6, 7 },                    // label 1 (2): 3 to 7 above it, rank 6
            { 0, 0.5f, 0.2f, 0.9f, 0.1f, 0.3f, 0.8f },  // label 5 (0.3): 0.5, 0.9, 0.8 above it, rank 4
        };
        int[] labels = [0, 4, 1, 5];
        var metrics = Evaluate(logits, labels);
        Assert.Equal(5, metrics.TopK);
        Assert.Equal(0.25, metrics.Accuracy, 12);
        Assert.Equal(0.75, metrics.Top5Accuracy, 12);
    }

    [Fact]
    public void Top5_matches_a_rank_count_of_random_logits()
    {
        var random = new Random(7);
        const int images = 40, classes = 9;
        var logits = new float[images, classes];
        var labels = new int[images];
        var hits = 0;
        for (var i = 0; i < images; i++)
        {
            for (var c = 0; c < classes; c++)
            {
                logits[i, c] = (float)random.NextDouble();
            }
            labels[i] = random.Next(classes);
            // the rank of the true class is 1 + the logits above it (no ties among random floats)
            var above = Enumerable.Range(0, classes).Count(c => logits[i, c] > logits[i, labels[i]]);
            hits += above < 5 ? 1 : 0;
        }
        var metrics = Evaluate(logits, labels);
        Assert.Equal((double)hits / images, metrics.Top5Accuracy, 12);
        Assert.InRange(metrics.Top5Accuracy, 0.3, 0.8);   // neither all nor none: the count decides
        Assert.True(metrics.Top5Accuracy >= metrics.Accuracy);
    }

    [Fact]
    public void With_five_classes_or_fewer_k_is_the_class_count_and_every_image_counts()
    {
        var metrics = Evaluate(new float[,] { { 1, 2, 3 }, { 3, 2, 1 } }, [0, 0]);
        Assert.Equal(3, metrics.TopK);
        Assert.Equal(0.5, metrics.Accuracy, 12);
        Assert.Equal(1, metrics.Top5Accuracy, 12);
    }
}
