namespace Dha.Nas;

/// <summary>
/// The two cell kinds of the DARTS macro architecture. Each kind has its own 4-node architecture, shared by every
/// cell of that kind; reduction cells halve the spatial size and double the channels.
/// </summary>
internal enum CellType
{
    Normal,
    Reduce,
}
