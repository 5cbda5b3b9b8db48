using System.Text.Json.Nodes;
using Dha.Search;

namespace Dha.Tests.Search;

/// <summary>The <c>reference</c> preset: the authors' configuration with every reference switch on.</summary>
public class ReferencePresetTests
{
    private static JsonObject Json(SearchOptions options) => JsonNode.Parse(options.ToJson())!.AsObject();

    private static string KeyOf(string assignment) => assignment[..assignment.IndexOf('=')];

    [Fact]
    public void The_preset_sets_every_reference_switch_and_each_one_departs_from_the_small_preset()
    {
        var small = Presets.Get("small");
        var reference = Json(Presets.Get("reference"));
        foreach (var assignment in Presets.ReferenceSwitches)
        {
            // the switch is not a no-op: the project's default differs from the authors' behaviour
            Assert.NotEqual(Json(small).ToJsonString(), Json(small.WithOverrides([assignment])).ToJsonString());
            // and the preset has it: applying it again changes nothing
            Assert.Equal(reference.ToJsonString(), Json(Presets.Get("reference").WithOverrides([assignment])).ToJsonString());
        }
        Assert.Equal(Presets.ReferenceSwitches.Count, Presets.ReferenceSwitches.Select(KeyOf).Distinct().Count());
    }

    [Fact]
    public void Every_option_that_has_a_reference_value_is_a_listed_switch()
    {
        var listed = Presets.ReferenceSwitches.Select(KeyOf).ToHashSet();
        var withReference = new List<string>();
        foreach (var key in Leaves(Json(new SearchOptions()), ""))
        {
            // an option named by texts takes "reference" and refuses any other word; free text (a path) takes both
            if (Accepts(key, "reference") && !Accepts(key, "no-such-value"))
            {
                withReference.Add(key);
            }
        }
        Assert.Contains("da.sampling", withReference); // the walk sees the enum options at all
        Assert.All(withReference, key => Assert.Contains(key, listed));
    }

    [Fact]
    public void The_preset_is_the_authors_configuration_of_the_reference_run()
    {
        var o = Presets.Get("reference").Validate();
        Assert.Equal("reference", o.Preset);
        Assert.Equal((5, 2, SearchMode.Dha), (o.Seed, o.Threads, o.Mode));
        Assert.Equal((8, 5, 0.2), (o.Network.Channels, o.Network.Layers, o.Network.DropPath));
        Assert.Equal((64, 16, 0.02, false), (o.Data.BatchSize, o.Data.CutoutSize, o.Data.ValRatio, o.Data.HeldOutValidation));
        Assert.Equal((32, 3, 0), (o.Data.PadTo, o.Data.Channels, o.Data.CropPadding));
        Assert.Equal([0.21920526f, 0.21920526f, 0.21920526f], o.Data.Mean!);
        Assert.Equal([0.33266240f, 0.33266240f, 0.33266240f], o.Data.Std!);
        Assert.Null(o.Data.Path); // the shipped subset: Fashion-MNIST training images 0-9,999 and test images 0-1,999
        Assert.Equal((0L, 3, 2, true), (o.Train.Steps, o.Train.SearchEpochs, o.Train.RetrainEpochs, o.Train.TestEveryEpoch));
        Assert.Equal((1e-8, 1e-6, true), (o.Hpo.HyperLearningRate, o.Hpo.HyperLearningRateTune, o.Hpo.Restart));
        Assert.Equal((0.02, 0.05, 1.0, 10.0), (o.Da.LearningRate, o.Da.LearningRateTune, o.Da.Magnitude, o.Da.MagnitudeTune));
        Assert.Contains("reference", Presets.Names);
    }

    private static bool Accepts(string key, string value)
    {
        try
        {
            new SearchOptions().WithOverrides([$"{key}={value}"]);
            return true;
        }
        catch (InvalidInputException)
        {
            return false;
        }
    }

    private static IEnumerable<string> Leaves(JsonObject node, string prefix)
    {
        foreach (var (key, value) in node)
        {
            if (value is JsonObject child)
            {
                foreach (var leaf in Leaves(child, $"{prefix}{key}."))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return prefix + key;
            }
        }
    }
}
