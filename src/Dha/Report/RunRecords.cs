using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Dha.Augment;
using Dha.Nas;
using Dha.Search;
using Dha.TensorBoard;

namespace Dha.Report;

/// <summary>One epoch of a run as <c>metrics.jsonl</c> holds it, with its <c>recovery</c> field (null when the epoch had none).</summary>
internal sealed record EpochRecord(EpochMetrics Metrics, JsonObject? Recovery);

/// <summary>One epoch of <c>history.jsonl</c>: the policy's 196 logits θ at its end (null when the run learns no policy).</summary>
internal sealed record HistoryRecord(int Epoch, string Phase, double[]? PolicyTheta);

/// <summary>
/// The files of a run folder the report draws, read and checked: <c>config.json</c> and <c>metrics.jsonl</c> must be
/// there (they make a folder a run's); the others are null or empty when the run has not written them (yet, or at
/// all: a run that learns no policy has no <c>policy.json</c>). A file that is there but damaged is an
/// <see cref="InvalidInputException"/> naming it and the line.
/// </summary>
internal sealed record RunRecords(
    string Directory,
    SearchOptions Options,
    IReadOnlyList<EpochRecord> Epochs,
    IReadOnlyList<HistoryRecord> History,
    double[,]? Policy,
    Genotype? Genotype,
    JsonObject? Summary,
    IReadOnlyDictionary<string, SortedDictionary<long, double>> StepScalars)
{
    /// <summary>The size limit of a run's JSON lines files: far above a long run's.</summary>
    private const int LinesLimit = 256 << 20;

    private static readonly JsonSerializerOptions MetricsJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>Reads the run in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidInputException">Not a run folder, or one of its files is damaged.</exception>
    public static RunRecords Read(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new InvalidInputException($"{directory}: folder not found");
        }
        var config = Path.Combine(directory, SearchRun.ConfigFile);
        var metrics = Path.Combine(directory, SearchRun.MetricsFile);
        if (!File.Exists(config) || !File.Exists(metrics))
        {
            throw new InvalidInputException($"{directory}: not a run folder (a run folder has {SearchRun.ConfigFile} and {SearchRun.MetricsFile})");
        }
        var options = SearchOptions.FromFile(config);
        var epochs = Lines(metrics, json => new EpochRecord(
            json.Deserialize<EpochMetrics>(MetricsJson) ?? throw new JsonException("null"), json["recovery"] as JsonObject));
        var historyPath = Path.Combine(directory, SearchRun.HistoryFile);
        var history = File.Exists(historyPath) ? Lines(historyPath, ReadHistory) : [];
        var policyPath = Path.Combine(directory, SearchRun.PolicyFile);
        var genotypePath = Path.Combine(directory, SearchRun.GenotypeFile);
        var summaryPath = Path.Combine(directory, SearchRun.SummaryFile);
        return new RunRecords(
            directory,
            options,
            epochs,
            history,
            File.Exists(policyPath) ? ReadPolicy(policyPath) : null,
            File.Exists(genotypePath) ? Genotype.FromJson(LimitedFile.ReadAllText(genotypePath)) : null,
            File.Exists(summaryPath) ? Parse(summaryPath, LimitedFile.ReadAllText(summaryPath)) : null,
            EventScalars.Read(Path.Combine(directory, TensorBoardWriter.Folder)));
    }

    /// <summary>The step at which an epoch ends, on the event files' axis (the global step).</summary>
    public long EpochEndStep(int epoch) => (epoch + 1L) * StepsPerEpoch;

    /// <summary>Steps per epoch: from <c>summary.json</c>, else from the event files' last step and the epochs done.</summary>
    public long StepsPerEpoch =>
        Summary?["steps_per_epoch"] is JsonValue value && value.TryGetValue<long>(out var steps) && steps > 0 ? steps
        : StepScalars.TryGetValue("epoch/seconds", out var epochEnds) && epochEnds.Count > 0 ? epochEnds.Keys.First()
        : 1;

    /// <summary>p = softmax(θ) of the policy at the end of each epoch whose history holds θ, as 14×14 matrices.</summary>
    public IEnumerable<(HistoryRecord Epoch, double[,] P)> PolicySnapshots() =>
        History.Where(h => h.PolicyTheta is not null).Select(h => (h, Square(OpPairPolicy.Softmax(h.PolicyTheta!))));

    private static List<T> Lines<T>(string path, Func<JsonObject, T> read)
    {
        var text = LimitedFile.ReadAllText(path, LinesLimit);
        var records = new List<T>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Trim().Length == 0)
            {
                continue;
            }
            try
            {
                var json = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object");
                records.Add(read(json));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new InvalidInputException($"{path} line {number}: damaged ({e.Message.ReplaceLineEndings(" ")})");
            }
        }
        return records;
    }

    private static HistoryRecord ReadHistory(JsonObject json)
    {
        var theta = json["policy_theta"] is JsonArray array ? array.Select(v => v!.GetValue<double>()).ToArray() : null;
        if (theta is not null && theta.Length != PairSampler.PairCount)
        {
            throw new JsonException($"policy_theta has {theta.Length} values, expected {PairSampler.PairCount}");
        }
        return new HistoryRecord(
            json["epoch"]?.GetValue<int>() ?? throw new JsonException("no epoch"), json["phase"]?.GetValue<string>() ?? throw new JsonException("no phase"), theta);
    }

    private static double[,] ReadPolicy(string path)
    {
        var n = AugmentOpNames.Count;
        if (Parse(path, LimitedFile.ReadAllText(path))["p"] is not JsonArray rows || rows.Count != n || rows.Any(r => r is not JsonArray row || row.Count != n))
        {
            throw new InvalidInputException($"{path}: \"p\" is not a {n}×{n} matrix");
        }
        return Square([.. rows.SelectMany(r => r!.AsArray()).Select(v => v is JsonValue value && value.TryGetValue<double>(out var p)
            ? p
            : throw new InvalidInputException($"{path}: \"p\" holds {v?.ToJsonString() ?? "null"}, not a number"))]);
    }

    private static JsonObject Parse(string path, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: damaged ({e.Message.ReplaceLineEndings(" ")})");
        }
    }

    private static double[,] Square(double[] rowMajor)
    {
        var n = AugmentOpNames.Count;
        var matrix = new double[n, n];
        for (var k = 0; k < rowMajor.Length; k++)
        {
            matrix[k / n, k % n] = rowMajor[k];
        }
        return matrix;
    }
}
