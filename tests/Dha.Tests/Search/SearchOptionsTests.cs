using Dha.Data;
using Dha.Search;

namespace Dha.Tests.Search;

public class SearchOptionsTests
{
    [Theory]
    [InlineData("small")]
    [InlineData("paper-cifar10")]
    [InlineData("paper-cifar100")]
    [InlineData("paper-flowers102")]
    public void Every_preset_is_complete_and_valid(string preset)
    {
        var options = Presets.Get(preset).Validate();
        // a complete preset survives a JSON round trip unchanged, with every key present
        var json = options.ToJson();
        var back = SearchOptions.FromJson(json, "test");
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"hyper_learning_rate_tune\"", json);
        Assert.Contains("\"restart\": true", json);
        Assert.DoesNotContain("search_mode", json); // derived from "mode", not a setting of its own
    }

    [Fact]
    public void Paper_cifar100_preset_has_the_method_values()
    {
        var o = Presets.Get("paper-cifar100");
        Assert.Equal((36, 20), (o.Network.Channels, o.Network.Layers));
        Assert.Equal((0L, 600, 600, 96), (o.Train.Steps, o.Train.SearchEpochs, o.Train.RetrainEpochs, o.Data.BatchSize));
        Assert.Equal(HpoEnvelope.None, o.Hpo.Envelope); // η as learned, as the method has it
        Assert.Equal((1e-8, 1e-6), (o.Hpo.HyperLearningRate, o.Hpo.HyperLearningRateTune));
        Assert.Equal((0.001, 0.05, 1e-4, 5e-4), (o.Hpo.LearningRateLow, o.Hpo.LearningRateHigh, o.Hpo.WeightDecayLow, o.Hpo.WeightDecayHigh));
        Assert.Equal((0.02, 0.05, 2.0, 1.0, 10.0), (o.Da.LearningRate, o.Da.LearningRateTune, o.Da.Temperature, o.Da.Magnitude, o.Da.MagnitudeTune));
        Assert.Equal((1e-3, 3.7, 0.02, 16), (o.Architecture.DistLimit, o.Architecture.ParamLimit, o.Data.ValRatio, o.Data.CutoutSize));
        // the reference's policy gradient and per-step rates
        Assert.Equal((Dha.Augment.PolicyEstimator.Reference, 0, 0), (o.Da.Estimator, o.Da.RateRunSteps, o.Hpo.RateRunSteps));
        Assert.Equal(0, o.Hpo.ValidationBatchSize);
        var flowers = Presets.Get("paper-flowers102");
        Assert.Equal((1e-4, 6.0, 1e-5, 112), (flowers.Architecture.DistLimit, flowers.Architecture.ParamLimit, flowers.Hpo.LearningRateLow, flowers.Data.CutoutSize));
    }

    [Fact]
    public void The_small_preset_learns_within_its_run_on_small_validation_batches()
    {
        var o = Presets.Get("small");
        Assert.Equal(Dha.Augment.PolicyEstimator.Score, o.Da.Estimator);
        Assert.True(o.Da.RateRunSteps > 0 && o.Hpo.RateRunSteps > 0);
        Assert.Equal(16, o.Hpo.ValidationBatchSize); // measured faster and better than full batches on the shipped data
    }

    [Fact]
    public void Overrides_set_nested_values_of_every_type()
    {
        var o = Presets.Get("small").WithOverrides(["train.search_epochs=7", "mode=nas+hpo", "da.level_map=reference", "network.auxiliary=false", "hpo.learning_rate_high=0.1"]);
        Assert.Equal(7, o.Train.SearchEpochs);
        Assert.Equal(SearchMode.NasHpo, o.Mode);
        Assert.Equal(Dha.Augment.LevelMap.Reference, o.Da.LevelMap);
        Assert.False(o.Network.Auxiliary);
        Assert.Equal(0.1, o.Hpo.LearningRateHigh);
    }

    [Theory]
    [InlineData("train.no_such_key=1", "--set train.no_such_key: unknown key")]
    [InlineData("nosuch.key=1", "--set nosuch.key: unknown key 'nosuch'")]
    [InlineData("train.search_epochs", "--set train.search_epochs: expected key=value")]
    [InlineData("train.search_epochs=abc", "--set: wrong value at train.search_epochs")]
    public void Bad_overrides_name_the_key(string assignment, string expectedStart)
    {
        var e = Assert.Throws<InvalidInputException>(() => Presets.Get("small").WithOverrides([assignment]));
        Assert.StartsWith(expectedStart, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("train.search_epochs=0", "train.search_epochs: must be >= 1")]
    [InlineData("data.val_ratio=1.5", "data.val_ratio: must be in (0, 1)")]
    [InlineData("hpo.learning_rate_low=0.5", "hpo.learning_rate_low: must be > 0 and <= hpo.learning_rate_high")]
    [InlineData("mode=enas", "--set mode=enas: 'enas' is not a mode; use one of dha, nas, nas+da, nas+hpo, ista-two-stage, ista-two-stage+da, ista-two-stage+hpo, ista-two-stage+da+hpo, darts")]
    [InlineData("architecture.order=3", "architecture.order: must be 1 (first-order DARTS) or 2 (second order)")]
    [InlineData("architecture.hessian=forward", "--set architecture.hessian=forward: 'forward' is not a Hessian form; use one of central, reference")]
    [InlineData("network.channels=7", "network.channels: must be an even number in [2, 1024]")]
    [InlineData("data.image_size=2", "data.image_size: must be 0 (the images' own size) or in [8, 1024]")]
    [InlineData("data.max_image_size=5000", "data.max_image_size: must be 0 (no cap) or in [8, 1024]")]
    [InlineData("data.test_fraction=1", "data.test_fraction: must be in (0, 1)")]
    [InlineData("da.rate_run_steps=-1", "da.rate_run_steps: must be >= 0 (0 = the rates are per step)")]
    [InlineData("hpo.rate_run_steps=-5", "hpo.rate_run_steps: must be >= 0 (0 = the rates are per step)")]
    [InlineData("architecture.weight_decay=-0.001", "architecture.weight_decay: must be finite and >= 0")]
    [InlineData("architecture.lasso_alpha=-1", "architecture.lasso_alpha: must be finite and >= 0")]
    [InlineData("architecture.lasso_alpha=NaN", "architecture.lasso_alpha: must be finite and >= 0")]
    [InlineData("architecture.projection_dims=0", "architecture.projection_dims: must be in [1, 98]")]
    [InlineData("architecture.projection_dims=-3", "architecture.projection_dims: must be in [1, 98]")]
    [InlineData("da.temperature=Infinity", "da.temperature: must be finite and > 0")]
    [InlineData("data.mean=[\"NaN\"]", "data.mean: must list 1 or 3 finite values")]
    [InlineData("data.std=[\"Infinity\"]", "data.std: must list 1 or 3 finite positive values")]
    [InlineData("data.mean=[0.5,\"-Infinity\",0.5]", "data.mean: must list 1 or 3 finite values")]
    [InlineData("train.learning_rate=1e308", "train.learning_rate: must be in (0, 10]")]
    [InlineData("train.learning_rate=Infinity", "train.learning_rate: must be in (0, 10]")]
    [InlineData("train.weight_decay=Infinity", "train.weight_decay: must be finite and >= 0")]
    [InlineData("train.grad_clip=Infinity", "train.grad_clip: must be finite and > 0")]
    [InlineData("network.channels=1000000", "network.channels: must be an even number in [2, 1024]")]
    [InlineData("network.layers=1000", "network.layers: must be in [3, 100]")]
    [InlineData("threads=100000", "threads: must be in [0, 256]")]
    [InlineData("replicas=-1", "replicas: must be in [0, 16] (0 = by mode)")]
    [InlineData("replicas=17", "replicas: must be in [0, 16] (0 = by mode)")]
    [InlineData("data.batch_size=3", "replicas: must leave two images in each part of a batch: 2 parts need")]
    [InlineData("replicas=9", "replicas: must leave two images in each part of a batch: 9 parts need data.batch_size and hpo.validation_batch_size >= 18")]
    [InlineData("replicas=2 data.batch_size=3", "replicas: must leave two images in each part of a batch")]
    [InlineData("replicas=2 mode=darts", "replicas: must be 0 or 1 with mode darts")]
    [InlineData("data.batch_size=1000000", "data.batch_size: must be in [2, 4096]")]
    [InlineData("hpo.learning_rate_high=Infinity", "hpo.learning_rate_high: must be <= 10")]
    [InlineData("da.magnitude_tune=NaN", "da.magnitude: must be finite and >= 0")]
    public void Impossible_values_are_rejected_with_the_key(string assignment, string expectedStart)
    {
        var e = Assert.Throws<InvalidInputException>(() => Presets.Get("small").WithOverrides(assignment.Split(' ')).Validate());
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Theory]
    [InlineData("small", "dha", 2)]
    [InlineData("small", "ista-two-stage+da+hpo", 2)]
    [InlineData("small", "darts", 1)]
    [InlineData("reference", "dha", 1)]
    [InlineData("paper-cifar10", "dha", 1)]
    public void A_step_runs_in_two_parts_by_default_except_in_darts_and_the_paper_and_reference_presets(string preset, string mode, int parts) =>
        Assert.Equal(parts, Presets.Get(preset).WithOverrides([$"mode={mode}"]).PartsPerStep);

    [Theory]
    [InlineData("train.search_fraction=1", "train.search_fraction: must be < 1 with mode darts")]
    [InlineData("train.steps=0 train.retrain_epochs=0", "train.retrain_epochs: must be >= 1 with mode darts")]
    [InlineData("train.time_budget=60", "train.time_budget: is not supported with mode darts")]
    public void A_darts_run_needs_steps_left_to_retrain_its_genotype(string assignments, string expectedStart)
    {
        Presets.Get("small").WithOverrides(["mode=darts"]).Validate();
        var e = Assert.Throws<InvalidInputException>(() => Presets.Get("small").WithOverrides(["mode=darts", .. assignments.Split(' ')]).Validate());
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Fact]
    public void A_config_with_a_duplicate_key_is_refused_naming_the_file_and_key()
    {
        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.FromJson("{\"train\": {\"steps\": 10, \"steps\": 20}}", "c.json"));

        Assert.StartsWith("c.json: not valid JSON", e.Message);
        Assert.Contains("steps", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_config_file_that_is_an_endless_device_fails_fast()
    {
        using var folder = new TempFolder();
        var config = Path.Combine(folder.Path, "config.json");
        File.CreateSymbolicLink(config, "/dev/zero");

        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", config, []));

        Assert.Equal($"{config}: larger than 1024 KiB; not a file dha reads this way", e.Message);
    }

    [Fact]
    public void A_config_file_overlays_the_preset_and_rejects_unknown_keys()
    {
        var o = SearchOptions.FromJson("{\"seed\": 11, \"train\": {\"retrain_epochs\": 2}}", "c.json", Presets.Get("small"));
        Assert.Equal(11, o.Seed);
        Assert.Equal(2, o.Train.RetrainEpochs);
        Assert.Equal(Presets.Get("small").Train.SearchEpochs, o.Train.SearchEpochs);
        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.FromJson("{\"train\": {\"epochz\": 2}}", "c.json"));
        Assert.Equal("c.json: unknown key 'train.epochz'", e.Message);
        Assert.Throws<InvalidInputException>(() => SearchOptions.FromJson("{not json", "c.json"));
    }

    [Fact]
    public void New_options_are_the_small_preset()
    {
        Assert.Equal(Presets.Get("small").ToJson(), new SearchOptions().ToJson());
        Assert.Equal("small", new SearchOptions().Preset);
        Assert.NotEqual(new SearchOptions().Network.Channels, Presets.Get("paper-cifar10").Network.Channels);
    }

    [Theory]
    [InlineData("mode", "dha")]
    [InlineData("mode", "nas")]
    [InlineData("mode", "nas+da")]
    [InlineData("mode", "nas+hpo")]
    [InlineData("architecture.support_rule", "all-ops")]
    [InlineData("architecture.support_rule", "reference")]
    [InlineData("da.level_map", "centred")]
    [InlineData("da.level_map", "reference")]
    [InlineData("da.sampling", "step")]
    [InlineData("da.sampling", "epoch")]
    [InlineData("da.estimator", "score")]
    [InlineData("da.estimator", "reference")]
    [InlineData("train.schedule", "cosine")]
    [InlineData("train.schedule", "step")]
    [InlineData("da.resampling", "bilinear")]
    [InlineData("da.resampling", "random")]
    public void Enum_options_read_and_write_the_texts_of_config_json(string key, string text)
    {
        var options = new SearchOptions().WithOverrides([$"{key}={text}"]);
        var (section, name) = key.Contains('.') ? (key[..key.IndexOf('.')], key[(key.IndexOf('.') + 1)..]) : ("", key);
        var json = System.Text.Json.Nodes.JsonNode.Parse(options.ToJson())!;
        Assert.Equal(text, (string)(section == "" ? json[name] : json[section]![name])!);
        // and a config file with that text reads back to the same options
        Assert.Equal(options.ToJson(), SearchOptions.FromJson(options.ToJson(), "c.json").ToJson());
    }

    [Fact]
    public void Enum_texts_set_the_typed_values()
    {
        var o = new SearchOptions().WithOverrides(["architecture.support_rule=reference", "da.sampling=epoch", "mode=nas+da"]);
        Assert.Equal(Dha.Nas.SupportRule.Reference, o.Architecture.SupportRule);
        Assert.Equal(PolicySampling.Epoch, o.Da.Sampling);
        Assert.Equal(SearchMode.NasDa, o.Mode);
    }

    [Theory]
    [InlineData("da.sampling=often", "--set da.sampling=often: 'often' is not a sampling; use one of step, epoch, reference")]
    [InlineData("da.level_map=centered", "--set da.level_map=centered: 'centered' is not a level map; use one of centred, reference")]
    [InlineData("architecture.support_rule=7", "--set architecture.support_rule=7: number is not a support rule; use one of all-ops, reference")]
    [InlineData("da.estimator=reinforce", "--set da.estimator=reinforce: 'reinforce' is not a policy estimator; use one of score, reference")]
    [InlineData("train.schedule=linear", "--set train.schedule=linear: 'linear' is not a schedule; use one of cosine, step")]
    [InlineData("da.resampling=nearest", "--set da.resampling=nearest: 'nearest' is not a resampling; use one of bilinear, random")]
    public void A_bad_enum_text_names_the_assignment_and_the_allowed_texts(string assignment, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => new SearchOptions().WithOverrides([assignment]));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public void A_bad_enum_text_in_a_config_file_names_the_file_and_key()
    {
        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.FromJson("{\"da\": {\"level_map\": \"wild\"}}", "c.json"));
        Assert.Equal("c.json: da.level_map: 'wild' is not a level map; use one of centred, reference", e.Message);
    }

    [Fact]
    public void Resolve_applies_preset_then_file_then_overrides_and_validates()
    {
        using var folder = new TempFolder();
        var config = Path.Combine(folder.Path, "c.json");
        File.WriteAllText(config, "{\"seed\": 11, \"train\": {\"search_epochs\": 4, \"retrain_epochs\": 9}, \"data\": {\"path\": \"relative/data\"}}");

        var o = SearchOptions.Resolve("paper-cifar10", config, ["train.retrain_epochs=1", "seed=12"]);

        Assert.Equal("paper-cifar10", o.Preset);
        Assert.Equal(36, o.Network.Channels); // the preset
        Assert.Equal(4, o.Train.SearchEpochs); // the file
        Assert.Equal((1, 12), (o.Train.RetrainEpochs, o.Seed)); // the overrides, last
        Assert.Equal(Path.GetFullPath("relative/data"), o.Data.Path);
        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, ["threads=1", "network.layers=2"]));
        Assert.Equal("--set network.layers=2: must be in [3, 100] (two reduction cells and a normal cell at least)", e.Message);
        Assert.StartsWith("--config ", Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", config + ".missing", [])).Message);
        Assert.StartsWith("--preset big: unknown preset", Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("big", null, [])).Message);
    }

    [Fact]
    public void The_small_preset_is_a_step_budget_with_a_cosine_envelope_and_cosine_for_the_fixed_rate()
    {
        var o = Presets.Get("small");
        Assert.Equal((785L, 0.4, 0.0), (o.Train.Steps, o.Train.SearchFraction, o.Train.TimeBudget));
        Assert.Equal((HpoEnvelope.Cosine, 0.02), (o.Hpo.Envelope, o.Hpo.EnvelopeFloor));
        Assert.Equal((0.025, 0.001), (o.Train.LearningRate, o.Train.LearningRateMin));
        Assert.Equal(HpoEnvelope.None, Presets.Get("small").WithOverrides(["hpo.envelope=none"]).Hpo.Envelope);
        Assert.Equal("--set hpo.envelope=linear: 'linear' is not an envelope; use one of none, cosine",
            Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, ["hpo.envelope=linear"])).Message);
    }

    [Fact]
    public void Epochs_set_while_a_budget_sizes_the_run_are_refused_rather_than_ignored()
    {
        var e = Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, ["train.search_epochs=3"]));
        Assert.Equal("--set train.search_epochs=3: ignored while train.steps (785) sizes the run; add --set train.steps=0 to size the run by epochs", e.Message);
        e = Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, ["train.time_budget=60", "train.steps=0", "train.retrain_epochs=1"]));
        Assert.StartsWith("--set train.retrain_epochs=1: ignored while train.time_budget sizes the run", e.Message);
        Assert.Equal(3, SearchOptions.Resolve("small", null, ["train.steps=0", "train.search_epochs=3"]).Train.SearchEpochs);

        using var folder = new TempFolder();
        var config = Path.Combine(folder.Path, "c.json");
        File.WriteAllText(config, "{\"train\": {\"retrain_epochs\": 9}}");
        Assert.Equal($"{config}: train.retrain_epochs is ignored while train.steps (785) sizes the run; set train.steps to 0 there to size the run by epochs",
            Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", config, [])).Message);
        // a run's saved config sets its budget too: it resolves as it is
        File.WriteAllText(config, Presets.Get("small").ToJson());
        Assert.Equal(785, SearchOptions.Resolve("small", config, []).Train.Steps);
    }

    [Theory]
    [InlineData("train.steps=-1", "--set train.steps=-1: must be >= 0")]
    [InlineData("train.search_fraction=0", "--set train.search_fraction=0: must be in (0, 1]")]
    [InlineData("train.search_fraction=1.5", "--set train.search_fraction=1.5: must be in (0, 1]")]
    [InlineData("train.time_budget=-5", "--set train.time_budget=-5: must be >= 0 seconds")]
    [InlineData("train.learning_rate_min=0.1", "--set train.learning_rate_min=0.1: must be >= 0 and <= train.learning_rate")]
    [InlineData("hpo.envelope_floor=0", "--set hpo.envelope_floor=0: must be in (0, 1]")]
    [InlineData("train.label_smoothing=1", "--set train.label_smoothing=1: must be in [0, 1)")]
    [InlineData("train.label_smoothing=-0.1", "--set train.label_smoothing=-0.1: must be in [0, 1)")]
    [InlineData("train.label_smoothing=NaN", "--set train.label_smoothing=NaN: must be in [0, 1)")]
    [InlineData("train.decay_period=0", "--set train.decay_period=0: must be >= 1 (epochs)")]
    [InlineData("train.decay_gamma=0", "--set train.decay_gamma=0: must be in (0, 1]")]
    [InlineData("train.decay_gamma=1.5", "--set train.decay_gamma=1.5: must be in (0, 1]")]
    [InlineData("train.decay_gamma=Infinity", "--set train.decay_gamma=Infinity: must be in (0, 1]")]
    public void Budget_and_schedule_values_are_checked(string assignment, string message)
    {
        Assert.StartsWith(message, Assert.Throws<InvalidInputException>(() => SearchOptions.Resolve("small", null, [assignment])).Message);
    }

    [Fact]
    public void The_training_options_default_to_the_behaviour_before_them_and_read_back_from_config_json()
    {
        var o = Presets.Get("small");
        Assert.Equal((0.0, LearningRateDecay.Cosine, 1, 0.97), (o.Train.LabelSmoothing, o.Train.Schedule, o.Train.DecayPeriod, o.Train.DecayGamma));
        Assert.Equal(Dha.Augment.Resampling.Bilinear, o.Da.Resampling);
        // a config.json written before these keys existed reads as the defaults
        var old = System.Text.Json.Nodes.JsonNode.Parse(o.ToJson())!.AsObject();
        foreach (var key in new[] { "label_smoothing", "schedule", "decay_period", "decay_gamma" })
        {
            old["train"]!.AsObject().Remove(key);
        }
        old["da"]!.AsObject().Remove("resampling");
        Assert.Equal(o.ToJson(), SearchOptions.FromJson(old.ToJsonString(), "config.json").ToJson());
        // the ImageNet values of the reference, saved and read back
        var imagenet = o.WithOverrides(["train.label_smoothing=0.1", "train.schedule=step", "train.decay_period=1", "train.decay_gamma=0.97", "da.resampling=random"]);
        var back = SearchOptions.FromJson(imagenet.ToJson(), "config.json");
        Assert.Equal((0.1, LearningRateDecay.Step, 1, 0.97), (back.Train.LabelSmoothing, back.Train.Schedule, back.Train.DecayPeriod, back.Train.DecayGamma));
        Assert.Equal(Dha.Augment.Resampling.Random, back.Da.Resampling);
    }

    [Theory]
    [InlineData("train.label_smoothing=0.1")]
    [InlineData("train.schedule=step")]
    [InlineData("train.decay_period=2")]
    [InlineData("train.decay_gamma=0.5")]
    [InlineData("da.resampling=random")]
    public void Each_training_option_is_part_of_the_run_fingerprint(string assignment)
    {
        using var train = ImageDataset.FromPixels(new byte[4 * 4 * 4], 1, 4, 4, [0, 1, 0, 1], ["a", "b"]);
        using var test = ImageDataset.FromPixels(new byte[2 * 4 * 4], 1, 4, 4, [0, 1], ["a", "b"]);
        using var splits = DatasetSplits.Create(train, test, 0.5, heldOutValidation: false, seed: 1);
        var options = Presets.Get("small");
        Assert.Equal(RunFingerprint.Of(options, splits), RunFingerprint.Of(Presets.Get("small"), splits));
        Assert.NotEqual(RunFingerprint.Of(options, splits), RunFingerprint.Of(options.WithOverrides([assignment]), splits));
    }
}
