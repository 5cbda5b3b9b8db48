namespace Dha.Augment;

/// <summary>
/// How a magnitude level ℓ ∈ [0, 8] becomes an op's argument. <see cref="Centred"/> is this project's default
/// (design.md "new B"): level 0 leaves every image unchanged and strength grows with the level, so magnitude 1 in
/// the search phase is gentle for every op. <see cref="Reference"/> reproduces the authors' maps (dha-method §5.1),
/// under which level 0 is the <em>strongest</em> Posterize, Solarize and enhance setting.
/// </summary>
public enum LevelMap
{
    /// <summary>Level 0 is the identity for every op with an argument (RandAugment/timm style).</summary>
    Centred,

    /// <summary>Exactly the reference code's level→argument table.</summary>
    Reference,
}
