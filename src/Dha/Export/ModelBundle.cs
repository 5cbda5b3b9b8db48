using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dha.Data;
using Dha.Nas;
using Dha.Search;

namespace Dha.Export;

/// <summary>
/// The <c>model/</c> folder of a run: everything needed to use the trained network without the run's config:
/// the genotype network's weights (op scalars folded into BN), the genotype, the input size and channels, the
/// normalisation and the class names. <see cref="Load"/> gives back a network in eval mode.
/// </summary>
internal sealed class ModelBundle : IDisposable
{
    public const int FormatVersion = 1;
    private const string ManifestFile = "model.json";
    private const string WeightsFile = "weights.bin";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        AllowDuplicateProperties = false,
    };

    public ModelBundle(FixedNetwork network, ModelManifest manifest)
    {
        Network = network;
        Manifest = manifest;
    }

    public FixedNetwork Network { get; }

    public ModelManifest Manifest { get; }

    /// <summary>
    /// Writes the folder as a whole: into a temporary sibling (<c>DIR.PID.tmp</c>) first, then renamed into place. A
    /// folder already at <paramref name="directory"/> is replaced only when it holds a model and nothing else (the two
    /// files): anything else there is not ours to delete, and the save is refused. Weights that are not finite are
    /// never written.
    /// </summary>
    /// <exception cref="InvalidInputException">The network holds non-finite weights, or the folder holds other files.</exception>
    public void Save(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        if (FiniteWeights.FirstNonFinite(Network) is { } name)
        {
            throw new InvalidInputException($"{full}: not saved: the network's {name} holds NaN or infinite values", FiniteWeights.DivergedExitCode);
        }
        if (Directory.Exists(full) && !IsOurs(full))
        {
            throw new InvalidInputException($"{full}: exists and holds files that are not a dha model; not replaced");
        }
        var temp = $"{full}.{Environment.ProcessId}.tmp";
        RemoveTemporary(temp);
        Directory.CreateDirectory(temp);
        AtomicFile.Write(Path.Combine(temp, WeightsFile), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            // a manifest without the auxiliary head (a deployed model) gets weights without it: Load builds none
            Network.save(writer, skip: Manifest.Auxiliary ? null : Network.AuxiliaryStateKeys());
        });
        AtomicFile.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(Manifest, Json));
        RemoveOurs(full);
        Directory.Move(temp, full);
    }

    /// <summary>
    /// Removes <paramref name="folder"/> (a <c>DIR.PID.tmp</c> a killed save left) when it holds only what a save
    /// writes there; otherwise leaves it as it is. True when it is gone.
    /// </summary>
    public static bool RemoveTemporary(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return true;
        }
        if (!IsOurs(folder))
        {
            return false;
        }
        RemoveOurs(folder);
        return true;
    }

    /// <summary>Whether <paramref name="name"/> is the name of a temporary model folder of <paramref name="folder"/> (of any process).</summary>
    public static bool IsTemporaryName(string name, string folder) =>
        name.StartsWith(folder + ".", StringComparison.Ordinal) && name.EndsWith(".tmp", StringComparison.Ordinal)
        && name[(folder.Length + 1)..^4] is { Length: > 0 } pid && pid.All(char.IsAsciiDigit);

    /// <summary>A folder holding nothing but the bundle's files and their temporaries (no sub-folder).</summary>
    private static bool IsOurs(string folder) =>
        !Directory.EnumerateDirectories(folder).Any()
        && Directory.EnumerateFiles(folder).Select(Path.GetFileName).All(f => f is ManifestFile or WeightsFile || AtomicFile.IsTemporaryName(f!));

    /// <summary>Deletes the files of a folder <see cref="IsOurs"/> accepted, one by one, then the empty folder: never recursively.</summary>
    private static void RemoveOurs(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(folder).ToArray())
        {
            File.Delete(file);
        }
        Directory.Delete(folder, recursive: false);
    }

    /// <summary>
    /// Reads a model folder, checking everything before a network is built: the manifest (read with a size limit,
    /// every field in range, the network small enough for this machine), then the weights (exactly the network's
    /// length, every value finite).
    /// </summary>
    /// <exception cref="InvalidInputException">Anything is missing, malformed, out of range or not finite.</exception>
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
            manifest = JsonSerializer.Deserialize<ModelManifest>(LimitedFile.ReadAllText(manifestPath), Json)
                ?? throw new InvalidInputException($"{manifestPath}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{manifestPath}: not a valid model manifest ({e.Message.ReplaceLineEndings(" ")})");
        }
        var genotype = manifest.Validate(manifestPath);
        var shape = manifest.Shape();
        NetworkMemory.Check(NetworkMemory.FixedWeightBytes(shape, genotype), $"{manifestPath}: the network (channels {shape.Channels}, layers {shape.Layers})",
            "this is not a model this machine can load");
        var network = new FixedNetwork(shape, genotype);
        try
        {
            using var stream = File.OpenRead(weightsPath);
            using var reader = new BinaryReader(stream);
            network.load(reader);
            if (stream.Position != stream.Length)
            {
                throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{weightsPath}: {stream.Length - stream.Position} bytes after the network's weights; not the weights of this model"));
            }
            if (FiniteWeights.FirstNonFinite(network) is { } name)
            {
                throw new InvalidInputException($"{weightsPath}: the model's {name} holds NaN or infinite values (its training diverged); refusing to use it");
            }
        }
        catch (Exception e) when (e is not InvalidInputException)
        {
            network.Dispose();
            throw new InvalidInputException($"{weightsPath}: the weights do not match the model's genotype and shape ({e.Message.Split('\n')[0]})");
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return new ModelBundle(network, manifest);
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>The JSON half of a <see cref="ModelBundle"/>.</summary>
internal sealed record ModelManifest(
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

    /// <summary>
    /// Checks every field against what a run can write, so that no network is built from a manifest that is not one
    /// (missing fields read as null or 0); gives the parsed genotype.
    /// </summary>
    /// <param name="path">The manifest's file, for the message.</param>
    /// <exception cref="InvalidInputException">A field is missing or out of range; the message names it.</exception>
    internal Genotype Validate(string path)
    {
        void Require(bool condition, string field, string what)
        {
            if (!condition)
            {
                throw new InvalidInputException($"{path}: {field} {what}");
            }
        }
        Require(FormatVersion == ModelBundle.FormatVersion, "format_version",
            $"{FormatVersion} is not supported (expected {ModelBundle.FormatVersion})");
        Require(InputChannels is 1 or 3, "input_channels", "must be 1 or 3");
        Require(ImageSize is >= SearchOptions.MinImageSide and <= SearchOptions.MaxImageSide, "image_size",
            $"must be in [{SearchOptions.MinImageSide}, {SearchOptions.MaxImageSide}]");
        Require(Channels is >= 2 and <= SearchOptions.MaxChannels && Channels % 2 == 0, "channels", $"must be an even number in [2, {SearchOptions.MaxChannels}]");
        Require(Layers is >= 3 and <= SearchOptions.MaxLayers, "layers", $"must be in [3, {SearchOptions.MaxLayers}]");
        Require(ClassNames is not null, "class_names", "is missing");
        Require(ClassNames!.Count >= 2 && ClassNames.All(n => n is not null), "class_names", "must list at least two names, none null");
        Require(Mean is not null && Mean.Length == InputChannels && Mean.All(float.IsFinite), "mean", $"must list {InputChannels} finite values");
        Require(Std is not null && Std.Length == InputChannels && Std.All(s => s > 0 && float.IsFinite(s)), "std", $"must list {InputChannels} finite positive values");
        Require(!string.IsNullOrWhiteSpace(Genotype), "genotype", "is missing");
        try
        {
            return Nas.Genotype.Parse(Genotype);
        }
        catch (Exception e) when (e is InvalidInputException or OverflowException)
        {
            throw new InvalidInputException($"{path}: genotype: {e.Message.Replace("genotype: ", "", StringComparison.Ordinal)}");
        }
    }
}
