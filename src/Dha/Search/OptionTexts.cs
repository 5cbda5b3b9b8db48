using Dha.Augment;
using Dha.Nas;

namespace Dha.Search;

/// <summary>
/// The texts config.json and <c>--set</c> use for the enum-valued options, one table per enum. They are part of the
/// config format: a text once written to a run's config.json must keep reading as the same value.
/// </summary>
internal static class OptionTexts
{
    public static readonly TextEnumConverter<SearchMode> Mode = new(
        "a mode", (SearchMode.Dha, "dha"), (SearchMode.Nas, "nas"), (SearchMode.NasDa, "nas+da"), (SearchMode.NasHpo, "nas+hpo"),
        (SearchMode.IstaTwoStage, "ista-two-stage"), (SearchMode.IstaTwoStageDa, "ista-two-stage+da"), (SearchMode.IstaTwoStageHpo, "ista-two-stage+hpo"),
        (SearchMode.IstaTwoStageDaHpo, "ista-two-stage+da+hpo"), (SearchMode.Darts, "darts"));

    public static readonly TextEnumConverter<SupportRule> SupportRule = new(
        "a support rule", (Nas.SupportRule.AllOps, "all-ops"), (Nas.SupportRule.Reference, "reference"));

    public static readonly TextEnumConverter<HessianForm> Hessian = new(
        "a Hessian form", (HessianForm.Central, "central"), (HessianForm.Reference, "reference"));

    public static readonly TextEnumConverter<LevelMap> LevelMap = new(
        "a level map", (Augment.LevelMap.Centred, "centred"), (Augment.LevelMap.Reference, "reference"));

    public static readonly TextEnumConverter<PolicySampling> Sampling = new(
        "a sampling", (PolicySampling.Step, "step"), (PolicySampling.Epoch, "epoch"), (PolicySampling.Reference, "reference"));

    public static readonly TextEnumConverter<HpoEnvelope> Envelope = new(
        "an envelope", (HpoEnvelope.None, "none"), (HpoEnvelope.Cosine, "cosine"));

    public static readonly TextEnumConverter<PolicyEstimator> Estimator = new(
        "a policy estimator", (PolicyEstimator.Score, "score"), (PolicyEstimator.Reference, "reference"));

    public static readonly TextEnumConverter<LearningRateDecay> Schedule = new(
        "a schedule", (LearningRateDecay.Cosine, "cosine"), (LearningRateDecay.Step, "step"));

    public static readonly TextEnumConverter<Resampling> Resampling = new(
        "a resampling", (Augment.Resampling.Bilinear, "bilinear"), (Augment.Resampling.Random, "random"));
}
