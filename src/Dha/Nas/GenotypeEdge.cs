namespace Dha.Nas;

/// <summary>
/// One kept (operation, input) pair of a node: the node applies <see cref="Op"/> to state <see cref="Input"/>
/// (0, 1 = the two cell inputs, 2.. = earlier nodes). Text form: <c>sep_conv_3x3@1</c>.
/// </summary>
internal sealed record GenotypeEdge(Primitive Op, int Input)
{
    public override string ToString() => $"{Op.ToText()}@{Input}";
}
