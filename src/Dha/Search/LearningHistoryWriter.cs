using System.Text.Json;
using System.Text.Json.Nodes;
using Dha.Augment;

namespace Dha.Search;

/// <summary>
/// Appends one JSON line per completed epoch to a run's <c>history.jsonl</c>: what the learned parts hold at the
/// epoch's end, so a user can see what moved. η and λ at the end and, when they are learned, their range over the
/// epoch's steps (the hyper-learner's values, before anything the trainer multiplies them by); the policy's entropy,
/// its five most likely pairs and all 196 logits θ (row-major, index i·14 + j). <c>policy.json</c> holds only the
/// last epoch's policy. A resumed run cuts the file back as <c>metrics.jsonl</c> (<see cref="MetricsJsonlWriter.KeepFirst"/>).
/// </summary>
internal sealed class LearningHistoryWriter(DhaTrainer trainer, string path) : ISearchObserver
{
    /// <summary>How many of the most likely pairs a line names.</summary>
    public const int TopPairs = 5;

    private int _stepsInEpoch;

    public void OnStepCompleted(StepMetrics metrics) => _stepsInEpoch = metrics.Step;

    public void OnEpochCompleted(EpochMetrics metrics)
    {
        var (learningRate, weightDecay) = trainer.HyperParameters;
        var line = new JsonObject
        {
            ["epoch"] = metrics.Epoch,
            ["phase"] = metrics.Phase,
            ["learning_rate"] = learningRate,
            ["weight_decay"] = weightDecay,
        };
        if (trainer.Options.Mode.LearnsHyperParameters() && trainer.Hyper.RangeOfLast(_stepsInEpoch) is { } range)
        {
            line["learning_rate_min"] = range.LearningRateMin;
            line["learning_rate_max"] = range.LearningRateMax;
            line["weight_decay_min"] = range.WeightDecayMin;
            line["weight_decay_max"] = range.WeightDecayMax;
        }
        if (trainer.PolicyProbabilities is { } p && trainer.PolicyTheta is { } theta)
        {
            line["policy_entropy"] = trainer.PolicyEntropy;
            line["policy_top"] = new JsonArray([.. OpPairPolicy.MostLikely(p, TopPairs)
                .Select(pair => (JsonNode?)new JsonObject
                {
                    ["first"] = pair.First.ToText(),
                    ["second"] = pair.Second.ToText(),
                    ["p"] = pair.P,
                })]);
            line["policy_theta"] = new JsonArray([.. theta.Select(v => (JsonNode?)JsonValue.Create(v))]);
        }
        using var append = new StreamWriter(path, append: true);
        append.WriteLine(line.ToJsonString(JsonSerializerOptions.Default));
    }
}
