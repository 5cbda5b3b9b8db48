using Dha.Data;
using Dha.Nas;
using Dha.Search;
using static TorchSharp.torch;

namespace Dha.Tests.Search;

/// <summary>The reference switches that act in the training loop, on tiny runs.</summary>
[Collection("EndToEnd")]
public class ReferenceSwitchTests
{
    private static SearchOptions Options(string directory, params string[] overrides)
    {
        var options = TinyRuns.Options(directory).WithOverrides(["train.retrain_epochs=0", .. overrides]);
        return options with { Data = options.Data with { Path = directory } };
    }

    [Fact]
    public void Reference_sampling_draws_uniformly_in_the_first_epoch_and_then_from_the_matrix_of_the_last_step_before()
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 256, 32);
        using var data = DatasetLocator.Load(directory);
        using var trainer = TrainerBuilder.Build(Options(directory, "da.sampling=reference"), data.Train, data.Test, "in memory");
        var seen = new List<(int Epoch, int Step, double[]? Matrix)>();

        trainer.Train(new StepProbe(m => seen.Add((m.Epoch, m.Step, trainer.Augmentation.Current))), CancellationToken.None);

        var n = trainer.StepsPerEpoch;
        var first = seen.Where(s => s.Epoch == 0).ToList();
        var second = seen.Where(s => s.Epoch == 1).ToList();
        Assert.Equal((n, n), (first.Count, second.Count));
        // epoch 0: uniform until its last step draws the matrix the next epoch's batches use
        Assert.All(first.SkipLast(1), s => Assert.Null(s.Matrix));
        var drawn = first[^1].Matrix;
        Assert.NotNull(drawn);
        Assert.All(second.SkipLast(1), s => Assert.Equal(drawn, s.Matrix));
        Assert.NotEqual(drawn, second[^1].Matrix);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_mixed_op_affine_trains_from_the_second_step_only_in_the_reference(bool early)
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 256, 32);
        using var data = DatasetLocator.Load(directory);
        var options = Options(directory, $"network.mixed_op_affine_trains={(early ? "true" : "false")}", "train.search_epochs=1");
        using var trainer = TrainerBuilder.Build(options, data.Train, data.Test, "in memory");
        var norms = trainer.Network.Cells.SelectMany(c => c.Edges).SelectMany(e => Primitives.All.SelectMany(p => e[p].Norms)).ToList();
        var trainable = new List<bool>();

        trainer.Train(new StepProbe(_ => trainable.Add(norms.All(bn => bn.weight!.requires_grad))), CancellationToken.None);

        Assert.Equal(trainer.StepsPerEpoch, trainable.Count);
        Assert.False(trainable[0]); // the first step leaves them frozen in either case
        Assert.All(trainable.Skip(1).SkipLast(1), t => Assert.Equal(early, t));
        // trained: some support op's γ has left 1 (frozen ones keep exactly 1)
        Assert.Equal(early, norms.Any(bn => bn.weight!.ne(1).any().item<bool>()));
    }

    [Fact]
    public void Validation_cutout_zeroes_a_square_of_each_validation_image_only_in_the_reference()
    {
        using var folder = new TempFolder();
        var directory = TinyRuns.Data(folder, 64, 32);
        using var data = DatasetLocator.Load(directory);
        var normalisation = InputNormalisation.Of(Options(directory).Data, data.Train);
        Assert.Null(TrainerBuilder.ValidationTransform(Options(directory, "data.cutout_size=8"), normalisation));
        Assert.Null(TrainerBuilder.ValidationTransform(Options(directory, "data.validation_cutout=true"), normalisation)); // no cutout size

        var transform = TrainerBuilder.ValidationTransform(Options(directory, "data.cutout_size=8", "data.validation_cutout=true"), normalisation)!;
        using var scope = NewDisposeScope();
        var pixels = data.Train.Images.narrow(0, 0, 16);
        var clean = Normalization.Normalize(pixels, normalisation.Mean, normalisation.Std);
        var cut = transform.Prepare(seed: 3)(pixels);
        var changed = cut.ne(clean);
        Assert.True(cut.masked_select(changed).eq(0).all().item<bool>()); // what changed became 0
        // every image loses at least a clipped corner of its 8x8 square, none more than the square
        var perImage = changed.sum([1, 2, 3]).data<long>().ToArray();
        Assert.All(perImage, c => Assert.InRange(c, 1, 64 * data.Train.Channels));
    }

    private sealed class StepProbe(Action<StepMetrics> probe) : ISearchObserver
    {
        public void OnStepCompleted(StepMetrics metrics) => probe(metrics);
    }
}
