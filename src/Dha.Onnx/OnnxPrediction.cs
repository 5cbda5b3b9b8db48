namespace Dha.Onnx;

/// <summary>The class a model gives one image, and the softmax probability of every class.</summary>
/// <param name="ClassIndex">The most probable class, an index into the model's class names.</param>
/// <param name="Label">That class's name.</param>
/// <param name="Probabilities">Softmax of the logits, one per class in class index order; they sum to 1.</param>
public sealed record OnnxPrediction(int ClassIndex, string Label, IReadOnlyList<float> Probabilities)
{
    /// <summary>The probability of the predicted class.</summary>
    public float Probability => Probabilities[ClassIndex];
}
