using System.Diagnostics;
using System.Globalization;
using Drawbridge.Insights;

// Cross-validation and speed figures for the insights engine on the shared development data.
// Usage: dotnet run -c Release --project bench/Drawbridge.Insights.Bench -- [--folds 5] [--framework categories|subcategories|columns|all|merged|merged3]
//        [--no-embeddings] [--no-speed | --speed-only] [--train-size 6500] [--seed 17] [--embedding-cache FILE]
// Training options (defaults from TrainingOptions): --epochs --lr --l2 --sentiment-epochs --sentiment-l2 --char-ngrams
//        --no-sentiment-class-head --ensemble --threshold-prior --threshold-smoothing HUNDREDTHS --max-positive-weight --validation-folds --max-terms
//        --embedding-weight --neighbours K (0 = off) --neighbour-temperature --neighbour-weight (0 = not as features)
//        --no-neighbour-blend --neighbours-on-whole-vector --softmax-head --no-softmax-head --softmax-l2 --softmax-epochs --at-least-one always|never|auto
//        --no-token-attention --attention-epochs --attention-lr --attention-l2 --attention-heads --attention-budget
//        --attention-logistic (a logistic per theme instead of one softmax) --max-attention-blend TENTHS
// --topics-eval: themes taken out of the framework, looked for among the emerging topics (TopicsEvaluation.cs).
// --mix-analysis: after cross-validation, other ways to mix the parts and set thresholds, scored on the same folds (MixAnalysis.cs).
// Context columns (chosen from the data: organization and question): --no-context --context-weight W --context-attention
//        (the attention head reads them too) --context-dropout SHARE --context-missing (test comments classified without them) --data FILE (another CSV)
// Embedder: --fp32 (32-bit weights instead of the default 8-bit) --layers 6,2 (MiniLM layers whose means are joined; default MiniLmEmbedder.DefaultLayers; "6" is the model's own embedding)
// --speed-joined N: for the speed figures only, every comment is N comments joined (longer texts than the shared data's).
// --check: the full-data checks only (FullDataCheck.cs), exit 1 on a failure; CI runs it when the data is present.
// "merged" (not in "all") joins about a third of the comments in pairs, with both labels: a synthetic multi-label check;
// "merged3" joins comments in ones, twos and threes (two on average), a denser one.
var folds = 5;
var which = "all";
var useEmbeddings = true;
var speed = true;
var cv = true;
var trainSize = 6500;
var seed = 17;
var themeOptions = new TrainingOptions().Themes;
var sentimentOptions = new TrainingOptions().Sentiment;
var embeddingWeight = new TrainingOptions().EmbeddingWeight;
string? cacheFile = null;
string? dataOverride = null;
var useContext = true;
var contextWeight = 1f;
var contextMissing = false;
var contextInAttention = false;
var contextDropout = new TrainingOptions().ContextDropout;
IReadOnlyList<int>? layers = null;
var charNgrams = false;
var classHead = new TrainingOptions().SentimentClassHead;
var prior = new TrainingOptions().ThresholdPrior;
var smoothing = new TrainingOptions().ThresholdSmoothing;
var maxPositiveWeight = new TrainingOptions().MaxPositiveWeight;
var validationFolds = new TrainingOptions().ValidationFolds;
var ensemble = new TrainingOptions().EnsembleFolds;
var maxTerms = new TrainingOptions().MaxTerms;
bool? atLeastOne = null;
var softHead = new TrainingOptions().SoftmaxThemeHead;
LinearTrainingOptions? softOptions = null;
var neighbourBlend = new TrainingOptions().NeighbourBlend;
var neighboursBySimilarityPart = new TrainingOptions().NeighboursBySimilarityPart;
var neighbourK = new TrainingOptions().NeighbourK;
var neighbourTemperature = new TrainingOptions().NeighbourTemperature;
var neighbourWeight = new TrainingOptions().NeighbourWeight;
var tokenAttention = new TrainingOptions().TokenAttention;
var attentionEpochs = new TrainingOptions().TokenAttentionEpochs;
var attentionLr = new TrainingOptions().TokenAttentionLearningRate;
var attentionL2 = new TrainingOptions().TokenAttentionL2;
var attentionHeads = new TrainingOptions().TokenAttentionHeads;
var attentionSoftmax = new TrainingOptions().TokenAttentionSoftmax;
var maxAttentionBlend = new TrainingOptions().MaxAttentionBlend;
var attentionBudget = new TrainingOptions().TokenAttentionBudget;
var speedJoined = 1;
var quantized = true;
var mixAnalysis = false;
var topicsEval = false;
var check = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--folds": folds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--framework": which = args[++i]; break;
        case "--no-embeddings": useEmbeddings = false; break;
        case "--no-speed": speed = false; break;
        case "--speed-only": cv = false; break;
        case "--train-size": trainSize = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--epochs": themeOptions = themeOptions with { Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--lr": themeOptions = themeOptions with { LearningRate = float.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--l2": themeOptions = themeOptions with { L2 = float.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--sentiment-epochs": sentimentOptions = sentimentOptions with { Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--sentiment-l2": sentimentOptions = sentimentOptions with { L2 = float.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--char-ngrams": charNgrams = true; break;
        case "--no-sentiment-class-head": classHead = false; break;
        case "--ensemble": ensemble = true; break;
        case "--threshold-prior": prior = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threshold-smoothing": smoothing = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--max-positive-weight": maxPositiveWeight = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--validation-folds": validationFolds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--max-terms": maxTerms = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--softmax-head": softHead = true; break;
        case "--softmax-l2": softOptions = (softOptions ?? themeOptions) with { L2 = float.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--softmax-epochs": softOptions = (softOptions ?? themeOptions) with { Epochs = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
        case "--no-softmax-head": softHead = false; break;
        case "--at-least-one": atLeastOne = args[++i] switch { "always" => true, "never" => false, _ => null }; break;
        case "--no-neighbour-blend": neighbourBlend = false; break;
        case "--neighbours-on-whole-vector": neighboursBySimilarityPart = false; break;
        case "--neighbours": neighbourK = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--neighbour-temperature": neighbourTemperature = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--neighbour-weight": neighbourWeight = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--no-token-attention": tokenAttention = false; break;
        case "--attention-epochs": attentionEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--attention-lr": attentionLr = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--attention-budget": attentionBudget = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--attention-softmax": attentionSoftmax = true; break;
        case "--attention-logistic": attentionSoftmax = false; break;
        case "--max-attention-blend": maxAttentionBlend = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--attention-heads": attentionHeads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--attention-l2": attentionL2 = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--embedding-weight": embeddingWeight = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        // Keeps embeddings between runs while tuning (a development convenience; timings then exclude embedding).
        case "--embedding-cache": cacheFile = args[++i]; break;
        case "--data": dataOverride = args[++i]; break;
        case "--mix-analysis": mixAnalysis = true; break;
        case "--topics-eval": topicsEval = true; break;
        case "--check": check = true; break;
        case "--no-context": useContext = false; break;
        case "--context-weight": contextWeight = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--context-missing": contextMissing = true; break;
        case "--context-attention": contextInAttention = true; break;
        case "--context-dropout": contextDropout = float.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--fp32": quantized = false; break;
        case "--speed-joined": speedJoined = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--layers": layers = args[++i].Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToArray(); break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var root = FindRoot();
var dataPath = dataOverride ?? Path.Combine(root, "shared", "data", "feedback", "phase1-text-data.csv");
var frameworkDir = Path.Combine(FindRepo(), "src", "Drawbridge.Insights", "Frameworks");
Console.WriteLine($"data: {dataPath}");
using var miniLm = new MiniLmEmbedder(layers: layers, quantized: quantized);
Console.WriteLine($"cores: {Environment.ProcessorCount}, embeddings: {(useEmbeddings ? miniLm.ModelName : "off")}, seed {seed}");

var cache = new CachingEmbedder(miniLm);
ISentenceEmbedder? embedder = useEmbeddings ? cache : null;
var options = new TrainingOptions
{
    Seed = seed,
    UseEmbeddings = useEmbeddings,
    Themes = themeOptions,
    Sentiment = sentimentOptions,
    EmbeddingWeight = embeddingWeight,
    CharNgrams = charNgrams,
    MaxTerms = maxTerms,
    UseContext = useContext,
    ContextWeight = contextWeight,
    ContextInAttention = contextInAttention,
    ContextDropout = contextDropout,
    SentimentClassHead = classHead,
    ThresholdPrior = prior,
    ThresholdSmoothing = smoothing,
    MaxPositiveWeight = maxPositiveWeight,
    ValidationFolds = validationFolds,
    EnsembleFolds = ensemble,
    NeighbourK = neighbourK,
    NeighbourTemperature = neighbourTemperature,
    NeighbourWeight = neighbourWeight,
    NeighbourBlend = neighbourBlend,
    NeighboursBySimilarityPart = neighboursBySimilarityPart,
    AtLeastOneTheme = atLeastOne,
    SoftmaxThemeHead = softHead,
    SoftmaxTheme = softOptions,
    TokenAttention = tokenAttention,
    TokenAttentionEpochs = attentionEpochs,
    TokenAttentionLearningRate = attentionLr,
    TokenAttentionL2 = attentionL2,
    TokenAttentionHeads = attentionHeads,
    TokenAttentionSoftmax = attentionSoftmax,
    MaxAttentionBlend = maxAttentionBlend,
    TokenAttentionBudget = attentionBudget,
};
Console.WriteLine($"themes: {options.Themes}; sentiment: {options.Sentiment}; embedding weight {embeddingWeight}; char n-grams {charNgrams}; max terms {maxTerms}; sentiment class head {classHead}; threshold prior {prior} (smoothing {smoothing}); max positive weight {maxPositiveWeight}; validation folds {validationFolds}; ensemble {ensemble}; softmax theme head {softHead} ({softOptions?.ToString() ?? "theme settings"}); neighbours {neighbourK} (temperature {neighbourTemperature}, weight {neighbourWeight}, blend {neighbourBlend}, on the similarity part {neighboursBySimilarityPart}); at least one theme {atLeastOne?.ToString() ?? "chosen on validation"}; token attention {tokenAttention} ({attentionEpochs} epochs, lr {attentionLr}, L2 {attentionL2}, {attentionHeads} heads within {attentionBudget}, softmax {attentionSoftmax}, mix up to {maxAttentionBlend / 10.0})");
if (cacheFile is not null && File.Exists(cacheFile))
{
    using var reader = new BinaryReader(File.OpenRead(cacheFile));
    var count = reader.ReadInt32();
    var texts = new string[count];
    var vectors = new float[count][];
    for (var k = 0; k < count; k++)
    {
        texts[k] = reader.ReadString();
        vectors[k] = new float[reader.ReadInt32()];
        for (var d = 0; d < vectors[k].Length; d++)
        {
            vectors[k][d] = reader.ReadSingle();
        }
    }
    cache.Seed(texts, vectors);
}

var categories = Framework.Load(Path.Combine(frameworkDir, "phase1-categories.json"));
var subcategories = Framework.Load(Path.Combine(frameworkDir, "phase1-subcategories.json"));
if (check)
{
    return FullDataCheck.Run(dataPath, categories, subcategories, cache);
}
if (topicsEval)
{
    TopicsEvaluation.Run(FeedbackCsv.ReadLabelled(dataPath, subcategories).Rows, AsColumns(subcategories), cache, options, seed,
        [("as before: in order of size, sqrt(n/4) clusters", new TopicOptions { ByNovelty = false, CommentsPerCluster = 4 }),
         ("in order of novelty, sqrt(n/4)", new TopicOptions { CommentsPerCluster = 4 }),
         ("engine: in order of novelty, sqrt(n/2)", new TopicOptions()),
         ("in order of novelty, sqrt(n/4), under 0.8 of a threshold", new TopicOptions { CommentsPerCluster = 4, MaxCoverage = 0.8f }),
         ("in order of novelty, sqrt(n/2), under 0.8", new TopicOptions { MaxCoverage = 0.8f })]);
    return 0;
}

if (cv)
{
    foreach (var (name, framework, asColumns) in new[] { ("categories", categories, false), ("subcategories", subcategories, false), ("columns", subcategories, true), ("merged", subcategories, true), ("merged3", subcategories, true) })
    {
        // "merged" and "merged3" are not part of "all": synthetic multi-label checks, not figures of the real data.
        if (which != name && (which != "all" || name.StartsWith("merged", StringComparison.Ordinal)))
        {
            continue;
        }
        var data = FeedbackCsv.ReadLabelled(dataPath, framework);
        if (name == "merged")
        {
            data = data with { Rows = Merged(data.Rows, seed) };
        }
        else if (name == "merged3")
        {
            data = data with { Rows = MergedDense(data.Rows, seed) };
        }
        var fw = asColumns ? AsColumns(framework) : framework;
        Console.WriteLine();
        Console.WriteLine($"context columns: {(useContext ? string.Join("; ", ContextDetection.Choose(data.Rows)) : "off")}, weight {contextWeight}, in the attention head {contextInAttention}, dropout {contextDropout}{(contextMissing ? ", left out when classifying" : "")}");
        Console.WriteLine($"== {name}: {fw.Themes.Count} themes ({(fw.IsSingleLabel ? "single label column" : "0/1 columns, multi-label decoding")}), {data.Rows.Count} comments, {data.SkippedEmpty} empty skipped, {data.Issues.Count} dirty values");
        if (embedder is not null)
        {
            var clock = Stopwatch.StartNew();
            embedder.Embed(data.Rows.Select(r => r.Text).ToArray());
            Console.WriteLine($"embedded {cache.CachedCount} distinct comments in {clock.Elapsed.TotalSeconds:F1} s");
        }
        var assignment = Folds(data.Rows.Count, folds, seed);
        var predictions = new Classification[data.Rows.Count];
        InsightsModel? last = null;
        var trainTime = TimeSpan.Zero;
        var parts = new List<FoldParts>();
        for (var f = 0; f < folds; f++)
        {
            var train = data.Rows.Where((_, i) => assignment[i] != f).ToList();
            var testIndex = Enumerable.Range(0, data.Rows.Count).Where(i => assignment[i] == f).ToArray();
            var clock = Stopwatch.StartNew();
            OutOfFoldScores? validation = null;
            var model = InsightsTrainer.Train(fw, train, embedder, mixAnalysis ? options with { OutOfFold = s => validation = s } : options);
            trainTime += clock.Elapsed;
            var classifier = new FeedbackClassifier(model, embedder);
            // --context-missing: the test comments come without their context columns (a model still trained with them).
            var result = classifier.ClassifyMany(testIndex.Select(i => contextMissing ? data.Rows[i] with { Context = null } : data.Rows[i]).ToArray());
            for (var k = 0; k < testIndex.Length; k++)
            {
                predictions[testIndex[k]] = result[k];
            }
            if (mixAnalysis && validation is not null)
            {
                var testRows = testIndex.Select(i => data.Rows[i]).ToArray();
                var x = FeedbackClassifier.Featurize(model, embedder, testRows.Select(r => r.Text).ToArray(), null,
                    contextMissing ? null : testRows.Select(r => r.Context).ToArray());
                parts.Add(new FoldParts(model.LearnedThemes, validation, x.Select(v => model.Parts(v)).ToArray(), testRows.Select(r => r.Themes).ToArray()));
            }
            last = model;
            Console.WriteLine($"fold {f + 1}/{folds}: trained on {train.Count} in {clock.Elapsed.TotalSeconds:F1} s (embeddings cached); neighbour blend {model.NeighbourBlend:F1}, softmax head {model.SoftBlend:F1}, token attention {model.AttentionBlend:F1} ({model.TokenAttention?.Heads ?? 0} heads), at least one theme {model.AtLeastOneTheme}");
        }
        // Train counts per theme differ a little by fold; the report's "trained" column uses the last fold's.
        var report = Evaluator.Evaluate(last!, data.Rows, predictions);
        Console.WriteLine($"{folds}-fold cross-validation (out-of-fold predictions for every comment), mean train time per fold {trainTime.TotalSeconds / folds:F1} s:");
        Console.Write(report.ToText());
        var learned = report.Themes.Where(t => t.Learned && t.Support > 0).ToList();
        Console.WriteLine($"themes with F1 >= 0.6: {learned.Count(t => t.F1 >= 0.6)} of {learned.Count} learned; " +
            $"macro F1 over themes with >= 50 examples: {report.Themes.Where(t => t.Support >= 50).Select(t => t.F1).DefaultIfEmpty(0).Average():F3} ({report.Themes.Count(t => t.Support >= 50)} themes)");
        if (parts.Count == folds)
        {
            MixAnalysis.Run(parts, fw.Themes.Count, options);
        }
    }
}

if (cacheFile is not null && cv)
{
    using var writer = new BinaryWriter(File.Create(cacheFile));
    var entries = cache.Entries().ToList();
    writer.Write(entries.Count);
    foreach (var (text, vector) in entries)
    {
        writer.Write(text);
        writer.Write(vector.Length);
        foreach (var v in vector)
        {
            writer.Write(v);
        }
    }
}

if (speed)
{
    // End to end, as a new organisation would: fresh embedder, no cache, train on trainSize comments, classify others.
    var data = FeedbackCsv.ReadLabelled(dataPath, subcategories);
    var order = Enumerable.Range(0, data.Rows.Count).ToArray();
    new Random(seed).Shuffle(order);
    var train = order.Take(trainSize).Select(i => data.Rows[i]).ToList();
    var rest = order.Skip(trainSize).Select(i => data.Rows[i].Text).ToArray();
    if (speedJoined > 1)
    {
        // Longer comments: each is speedJoined comments of its own part of the data (training or unseen) joined.
        var random = new Random(seed);
        var trainPart = train;
        train = Enumerable.Range(0, trainSize)
            .Select(_ => Joined(Enumerable.Range(0, speedJoined).Select(_ => trainPart[random.Next(trainPart.Count)]).ToList()))
            .ToList();
        var restPart = rest;
        rest = Enumerable.Range(0, 4000).Select(_ => string.Join(" ", Enumerable.Range(0, speedJoined).Select(_ => restPart[random.Next(restPart.Length)]))).ToArray();
        Console.WriteLine($"speed on joined comments: {speedJoined} per comment, mean {train.Average(r => r.Text.Length):F0} characters (training), {rest.Average(t => t.Length):F0} (unseen)");
    }
    var fw = AsColumns(subcategories);
    using var freshEmbedder = new MiniLmEmbedder(layers: layers, quantized: quantized);
    ISentenceEmbedder? fresh = useEmbeddings ? freshEmbedder : null;
    var trainCpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var model = InsightsTrainer.Train(fw, train, fresh, options);
    var trainSeconds = clock.Elapsed.TotalSeconds;
    var trainCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - trainCpu).TotalSeconds;
    Console.WriteLine();
    Console.WriteLine($"token attention heads: {model.TokenAttention?.Heads.ToString(CultureInfo.InvariantCulture) ?? "none"}");
    Console.WriteLine($"== speed: trained {fw.Themes.Count}-theme multi-label framework + sentiment on {train.Count} comments in {trainSeconds:F1} s (end to end, {Environment.ProcessorCount} cores; {trainCpuSeconds:F1} CPU-seconds; load average {LoadAverage()})");
    var classifier = new FeedbackClassifier(model, fresh);
    var unseen = rest.Distinct(StringComparer.Ordinal).Take(2000).ToArray();
    // The machine is shared, so CPU time is reported too: comments per CPU-second, times the cores, is what
    // an otherwise idle machine of this size would do.
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    clock.Restart();
    classifier.ClassifyMany(unseen);
    var batchRate = unseen.Length / clock.Elapsed.TotalSeconds;
    var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    Console.WriteLine($"classify (batch, distinct unseen comments, no cache): {unseen.Length} in {clock.Elapsed.TotalSeconds:F1} s = {batchRate:F0} comments/s; " +
        $"{unseen.Length / cpuSeconds:F0} comments per CPU-second (x{Environment.ProcessorCount} cores = {unseen.Length / cpuSeconds * Environment.ProcessorCount:F0}/s if idle); load average {LoadAverage()}");
    if (model.Neighbours is { } bank && fresh is not null)
    {
        // The part of classification the neighbour bank adds: embeddings come from a cache here, so this is the search alone.
        var warm = new CachingEmbedder(fresh);
        var vectors = warm.Embed(unseen);
        var searchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Restart();
        bank.Describe(vectors);
        Console.WriteLine($"neighbour search alone ({bank.Rows} training comments): {unseen.Length} in {clock.Elapsed.TotalSeconds:F2} s, " +
            $"{(Process.GetCurrentProcess().TotalProcessorTime - searchCpu).TotalSeconds:F2} CPU-s");
    }
    var cached = new FeedbackClassifier(model, new CachingEmbedder(fresh ?? freshEmbedder));
    var stream = rest.Take(2000).ToArray();
    clock.Restart();
    foreach (var chunk in stream.Chunk(100))
    {
        cached.ClassifyMany(chunk);
    }
    Console.WriteLine($"classify (as data arrives, chunks of 100, with the repeated-comment cache): {stream.Length} in {clock.Elapsed.TotalSeconds:F1} s = {stream.Length / clock.Elapsed.TotalSeconds:F0} comments/s");
    clock.Restart();
    var single = unseen.Take(200).ToArray();
    foreach (var text in single)
    {
        classifier.Classify(text);
    }
    Console.WriteLine($"classify one at a time: {single.Length / clock.Elapsed.TotalSeconds:F0} comments/s ({clock.Elapsed.TotalMilliseconds / single.Length:F1} ms each)");
    var path = Path.Combine(Path.GetTempPath(), $"insights-bench-{Environment.ProcessId}.model");
    model.Save(path);
    Console.WriteLine($"model file: {new FileInfo(path).Length / 1024} KiB");
    File.Delete(path);
}
return 0;

// A multi-label version of the single-label data: about a third of comments are two comments joined, carrying both
// labels (and the sentiment when both agree), so several themes per comment must be found.
static List<FeedbackRow> Merged(IReadOnlyList<FeedbackRow> rows, int seed)
{
    var random = new Random(seed);
    var order = Enumerable.Range(0, rows.Count).ToArray();
    random.Shuffle(order);
    var merged = new List<FeedbackRow>();
    for (var k = 0; k < order.Length; k++)
    {
        var first = rows[order[k]];
        if (k + 1 < order.Length && random.NextDouble() < 0.35)
        {
            merged.Add(Joined([first, rows[order[++k]]]));
        }
        else
        {
            merged.Add(first);
        }
    }
    return merged;
}

// A denser multi-label version: comments of one, two or three joined (3 : 4 : 3), two on average, as in frameworks
// where most comments carry several themes.
static List<FeedbackRow> MergedDense(IReadOnlyList<FeedbackRow> rows, int seed)
{
    var random = new Random(seed);
    var order = Enumerable.Range(0, rows.Count).ToArray();
    random.Shuffle(order);
    var merged = new List<FeedbackRow>();
    for (var k = 0; k < order.Length;)
    {
        var roll = random.NextDouble();
        var take = Math.Min(roll < 0.3 ? 1 : roll < 0.7 ? 2 : 3, order.Length - k);
        merged.Add(Joined(order.Skip(k).Take(take).Select(i => rows[i]).ToList()));
        k += take;
    }
    return merged;
}

// Comments joined into one (texts are trimmed when read), carrying all their themes, and their sentiment when they agree.
static FeedbackRow Joined(IReadOnlyList<FeedbackRow> parts) => parts[0] with
{
    Text = string.Join(" ", parts.Select(p => p.Text)),
    Themes = parts.SelectMany(p => p.Themes).Distinct().Order().ToList(),
    Sentiment = parts.All(p => p.Sentiment == parts[0].Sentiment) ? parts[0].Sentiment : null,
};

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

static Framework AsColumns(Framework framework) => framework with
{
    LabelColumn = null,
    Themes = framework.Themes.Select(t => t with { Column = t.Value, Value = null }).ToList(),
};

static int[] Folds(int n, int k, int seed)
{
    var order = Enumerable.Range(0, n).ToArray();
    new Random(seed).Shuffle(order);
    var folds = new int[n];
    for (var i = 0; i < n; i++)
    {
        folds[order[i]] = i % k;
    }
    return folds;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (Directory.Exists(Path.Combine(dir.FullName, "shared", "data", "feedback")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("shared/data/feedback not found above " + AppContext.BaseDirectory);
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
}
