using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// One active (input, operation) pair of a node and the scalar that multiplies the op's output. The scalar is a
/// 0-dim tensor so gradients reach the architecture code through it; it may be negative.
/// </summary>
internal sealed record SupportEntry(int Input, Primitive Op, Tensor Scalar);
