using Dha.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dha.Nas;

/// <summary>
/// Data-parallel forward and backward passes of a <see cref="SearchNetwork"/> (<c>replicas</c> in the options): the
/// batch is split into equal parts, each part runs on its own thread through its own replica of the network, and the
/// parts' gradients end summed in the network's own. At C = 8 an op is too small for libtorch to split over two
/// cores, so two half-batches side by side keep both cores busier than intra-op threads do
/// (<c>bench parallel-probe</c>).
/// <para>
/// A replica's weights are views of the network's (optimiser steps reach every replica at once), but separate
/// autograd leaves, so no two threads ever accumulate into one gradient: the network's part accumulates into the
/// network's gradients, the other parts into their replica's, which are added after the passes in part order. The
/// architecture's scalars get the same treatment: each part computes with its own leaf copies, and their summed
/// gradients flow back into the codes once. The sums have a fixed order, so a run is deterministic.
/// </para>
/// <para>
/// Two departures from one pass over the whole batch: batch norm normalises each part with its own statistics (as
/// it would on a smaller batch), and only the network's own part updates the running statistics, so they estimate
/// from one part per step. Drop-path masks come from a generator per part, seeded per step by <see cref="Seed"/>.
/// </para>
/// </summary>
internal sealed class SearchNetworkReplicas : IDisposable
{
    private readonly SearchNetwork _network;
    private readonly SearchNetwork[] _replicas;
    private readonly (Parameter Network, Parameter Replica)[][] _pairs;
    private readonly Generator[] _generators;
    private readonly PartThreads? _threads;

    /// <param name="network">The network: it keeps the weights, their gradients and the BN running statistics.</param>
    /// <param name="count">Parts per batch; 1 runs the whole batch through the network on the calling thread.</param>
    /// <param name="threads">libtorch intra-op threads of each part.</param>
    public SearchNetworkReplicas(SearchNetwork network, int count, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        _network = network;
        _replicas = new SearchNetwork[count - 1];
        _pairs = new (Parameter, Parameter)[count - 1][];
        _generators = count == 1 ? [] : [.. Enumerable.Range(0, count).Select(_ => new Generator())];
        var dtype = network.parameters().First().dtype;
        using (var rngState = random.get_rng_state())
        {
            for (var k = 0; k < _replicas.Length; k++)
            {
                // built like the network (its initialisation draws are thrown away), then pointed at its weights
                _replicas[k] = new SearchNetwork(network.Shape, network.PoolExtraBn);
                _replicas[k].to(dtype);
                _pairs[k] = ShareWeights(network, _replicas[k]);
                _replicas[k].DropPathGenerator = _generators[k + 1];
            }
            random.set_rng_state(rngState);
        }
        if (count > 1)
        {
            network.DropPathGenerator = _generators[0];
            // the calling thread runs part 0 with the intra-op threads the run set already
            _threads = new PartThreads(count, "dha part", () => torch.set_num_threads(threads));
        }
    }

    /// <summary>Parts per batch.</summary>
    public int Count => _replicas.Length + 1;

    /// <summary>Seeds each part's drop-path generator for the step <paramref name="step"/> of the run seeded <paramref name="runSeed"/>.</summary>
    public void Seed(int runSeed, long step)
    {
        for (var k = 0; k < _generators.Length; k++)
        {
            _generators[k].manual_seed(Seeds.For(runSeed, "drop-path", step, k));
        }
    }

    /// <summary>
    /// Runs <paramref name="forward"/> on each part of the batch with its replica, then backward from each part's
    /// loss weighted by the part's share of the batch, so the gradients are those of the whole batch's mean loss;
    /// they end in the network's parameters and in whatever <paramref name="architecture"/>'s scalars derive from.
    /// Returns what each part keeps (detached, owned by the caller's dispose scope), in part order.
    /// </summary>
    /// <param name="images">The batch, [B, C, H, W].</param>
    /// <param name="labels">Its labels, [B].</param>
    /// <param name="architecture">The support and scalars every part computes with.</param>
    /// <param name="forward">One part's pass: its mean loss, and tensors to keep.</param>
    /// <param name="forwardDone">Called once every part's forward is done, before any backward (the profile's clock); null for none.</param>
    public IReadOnlyList<Tensor[]> Run(
        Tensor images,
        Tensor labels,
        Architecture architecture,
        Func<SearchNetwork, Tensor, Tensor, Architecture, (Tensor Loss, Tensor[] Kept)> forward,
        Action? forwardDone = null)
    {
        if (Count == 1)
        {
            var (loss, kept) = forward(_network, images, labels, architecture);
            forwardDone?.Invoke();
            loss.backward();
            return [kept];
        }
        var batch = images.shape[0];
        var imageParts = images.tensor_split(Count);
        var labelParts = labels.tensor_split(Count);
        var scalars = architecture.Scalars.ToArray();
        var learnsScalars = scalars.Any(s => s.requires_grad);
        // each part's own leaves: two backward passes must not meet in the graph behind the scalars
        var leaves = learnsScalars ? Enumerable.Range(0, Count).Select(_ => scalars.Select(s => s.detach().requires_grad_(s.requires_grad)).ToArray()).ToArray() : null;
        foreach (var replica in _replicas)
        {
            replica.train(_network.training);
            replica.DropPathProbability = _network.DropPathProbability;
            replica.zero_grad();
        }

        var keptByPart = new Tensor[Count][];
        using var barrier = forwardDone is null ? null : new Barrier(Count, _ => forwardDone());
        _threads!.Run(k =>
        {
            using var scope = NewDisposeScope();
            Tensor loss;
            Tensor[] kept;
            try
            {
                (loss, kept) = forward(k == 0 ? _network : _replicas[k - 1], imageParts[k], labelParts[k], leaves is null ? architecture : architecture.WithScalars(leaves[k]));
            }
            catch
            {
                barrier?.RemoveParticipant(); // the other parts must not wait for this one
                throw;
            }
            barrier?.SignalAndWait();
            loss.mul(imageParts[k].shape[0] / (double)batch).backward();
            keptByPart[k] = [.. kept.Select(t => t.detach().MoveToOuterDisposeScope())];
        });

        AddReplicaGradients();
        if (leaves is not null)
        {
            BackwardThroughScalars(scalars, leaves);
        }
        // the kept tensors were made on other threads: their wrappers join this thread's scope
        return [.. keptByPart.Select(kept => kept.Select(Adopt).ToArray())];
    }

    private void AddReplicaGradients()
    {
        foreach (var pairs in _pairs)
        {
            foreach (var (parameter, replica) in pairs)
            {
                using var gradient = replica.grad;
                if (gradient is null || !parameter.requires_grad)
                {
                    continue;
                }
                using var sum = parameter.grad;
                if (sum is null)
                {
                    parameter.grad = gradient.clone();
                }
                else
                {
                    sum.add_(gradient);
                }
            }
        }
    }

    private static void BackwardThroughScalars(Tensor[] scalars, Tensor[][] leaves)
    {
        var outputs = new List<Tensor>();
        var gradients = new List<Tensor>();
        for (var i = 0; i < scalars.Length; i++)
        {
            if (!scalars[i].requires_grad)
            {
                continue;
            }
            Tensor? sum = null;
            foreach (var part in leaves)
            {
                var gradient = part[i].grad;
                if (gradient is not null)
                {
                    sum = sum is null ? gradient : sum.add(gradient);
                }
            }
            if (sum is not null)
            {
                outputs.Add(scalars[i]);
                gradients.Add(sum);
            }
        }
        if (outputs.Count > 0)
        {
            autograd.backward(outputs, gradients);
        }
    }

    private static Tensor Adopt(Tensor orphan)
    {
        var owned = orphan.detach();
        orphan.Dispose();
        return owned;
    }

    /// <summary>
    /// Points every weight of <paramref name="replica"/> at the same storage as <paramref name="network"/>'s (new
    /// leaves that view it) and removes its BN running statistics. Returns the (network, replica) parameter pairs.
    /// </summary>
    private static (Parameter, Parameter)[] ShareWeights(SearchNetwork network, SearchNetwork replica)
    {
        var replicaModules = replica.named_modules().ToDictionary(m => m.name, m => m.module);
        foreach (var (name, module) in network.named_modules())
        {
            switch (module, replicaModules[name])
            {
                case (Conv2d source, Conv2d target):
                    target.weight = View(source.weight!);
                    target.bias = source.bias is null ? null : View(source.bias);
                    break;
                case (Linear source, Linear target):
                    target.weight = View(source.weight!);
                    target.bias = source.bias is null ? null : View(source.bias);
                    break;
                case (BatchNorm2d source, BatchNorm2d target):
                    target.weight = View(source.weight!);
                    target.bias = View(source.bias!);
                    target.running_mean = null;
                    target.running_var = null;
                    target.num_batches_tracked = null;
                    break;
                default:
                    if (module.named_parameters(recurse: false).Any())
                    {
                        throw new NotSupportedException($"SearchNetworkReplicas: module {name} ({module.GetType().Name}) has weights a replica cannot share");
                    }
                    break;
            }
        }
        var sources = network.named_parameters().ToArray();
        var targets = replica.named_parameters().ToArray();
        if (!sources.Select(p => p.name).SequenceEqual(targets.Select(p => p.name)))
        {
            throw new InvalidOperationException("SearchNetworkReplicas: the replica's parameters differ from the network's");
        }
        return [.. sources.Zip(targets, (s, t) => (s.parameter, t.parameter))];
    }

    private static Parameter View(Parameter source) => new(source.detach(), requires_grad: true);

    public void Dispose()
    {
        _threads?.Dispose();
        _network.DropPathGenerator = null;
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }
        foreach (var generator in _generators)
        {
            generator.Dispose();
        }
    }
}
