using System.Text.Json;
using System.Text.Json.Serialization;
using Dha.Data;
using Dha.Nas;

namespace Dha.Export;

/// <summary>
/// The <c>model/</c> folder of a run: everything needed to use the trained network without the run's config:
/// the genotype network's weights (op scalars folded into BN), the genotype, the input size and channels, the
/// normalisation and the class names. <see cref="Load"/> gives back a network in eval mode.
/// </summary>
public sealed class ModelBundle : IDisposable
{
    public const int FormatVersion = 1;
    private const string ManifestFile = "model.json";
    private const string WeightsFile = "weights.bin";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public ModelBundle(FixedNetwork network, ModelManifest manifest)
    {
        Network = network;
        Manifest = manifest;
    }

    public FixedNetwork Network { get; }

    public ModelManifest Manifest { get; }

    /// <summary>Writes the folder as a whole: into a temporary sibling first, then renamed into place.</summary>
    public void Save(string directory)
    {
        var full = Path.GetFullPath(directory);
        var temp = full.TrimEnd(Path.DirectorySeparatorChar) + $".{Environment.ProcessId}.tmp";
        if (Directory.Exists(temp))
        {
            Directory.Delete(temp, recursive: true);
        }
        Directory.CreateDirectory(temp);
        AtomicFile.Write(Path.Combine(temp, WeightsFile), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            // a manifest without the auxiliary head (a deployed model) gets weights without it: Load builds none
            Network.save(writer, skip: Manifest.Auxiliary ? null : Network.AuxiliaryStateKeys());
        });
        AtomicFile.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(Manifest, Json));
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        Directory.Move(temp, full);
    }

    public static ModelBundle Load(string directory)
    {
        var manifestPath = Path.Combine(directory, ManifestFile);
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!Directory.Exists(directory))
        {
            throw new InvalidInputException($"{directory}: model folder not found");
        }
        if (!File.Exists(manifestPath) || !File.Exists(weightsPath))
        {
            throw new InvalidInputException($"{directory}: not a dha model folder (needs {ManifestFile} and {WeightsFile})");
        }
        ModelManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(manifestPath), Json)
                ?? throw new InvalidInputException($"{manifestPath}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{manifestPath}: not a valid model manifest ({e.Message})");
        }
        if (manifest.FormatVersion != FormatVersion)
        {
            throw new InvalidInputException($"{manifestPath}: model format version {manifest.FormatVersion} is not supported (expected {FormatVersion})");
        }
        var network = new FixedNetwork(manifest.Shape(), Genotype.Parse(manifest.Genotype));
        try
        {
            using var stream = File.OpenRead(weightsPath);
            using var reader = new BinaryReader(stream);
            network.load(reader);
        }
        catch (Exception e) when (e is not InvalidInputException)
        {
            network.Dispose();
            throw new InvalidInputException($"{weightsPath}: the weights do not match the model's genotype and shape ({e.Message.Split('\n')[0]})");
        }
        network.eval();
        return new ModelBundle(network, manifest);
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>The JSON half of a <see cref="ModelBundle"/>.</summary>
public sealed record ModelManifest(
    int FormatVersion,
    string Genotype,
    int InputChannels,
    int ImageSize,
    int Channels,
    int Layers,
    bool Auxiliary,
    float[] Mean,
    float[] Std,
    IReadOnlyList<string> ClassNames,
    string Dataset,
    double? TestAccuracy,
    StratifiedSplit? TestSplit = null)
{
    [JsonIgnore]
    public int Classes => ClassNames.Count;

    public NetworkShape Shape() => new(InputChannels, ImageSize, Channels, Layers, Classes, Auxiliary);
}
