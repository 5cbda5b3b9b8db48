namespace Dha.Augment;

/// <summary>How the geometric ops sample the source image (<c>da.resampling</c>, <see cref="GeometricOps"/>).</summary>
public enum Resampling
{
    /// <summary>Bilinear for every warp (this project's default).</summary>
    Bilinear,

    /// <summary>
    /// Bilinear or bicubic, 50/50, drawn per op application from the batch's seeded generator, as the reference does
    /// (dha-method §5.1).
    /// </summary>
    Random,
}
