using System.Numerics.Tensors;

namespace Drawbridge.Insights;

/// <summary>
/// Label-wise attention over a comment's word-piece vectors (LAAT/CAML style): per theme t, a query q_t weighs the
/// comment's word pieces, a_i = softmax_i(q_t · h_i); the weighted sum v_t = Σ a_i h_i and the sentence embedding m give
/// the theme's logit w_t · v_t + u_t · m + b_t. So each theme reads the words that carry it ("staff lovely but waited
/// four hours") instead of one mean over the whole comment. With several heads a theme has several queries, each with
/// its own weighted sum and output weights, and the logit adds what each head reads, so a theme can depend on two words
/// together. Word-piece vectors are MiniLM's hidden states, unit length, without [CLS] and [SEP]. Trained by mini-batch
/// Adam with L2, either on weighted logistic loss per output or (<see cref="Softmax"/>) on one softmax over the outputs, the
/// last of which is "no theme": then themes compete for a comment, as in the linear softmax head. Immutable afterwards.
/// </summary>
public sealed class TokenAttention
{
    public int Outputs { get; }
    public int Dimension { get; }

    /// <summary>Queries per output: each weighs the word pieces in its own way, and the logit adds what each reads.</summary>
    public int Heads { get; }
    internal float[] Queries { get; }
    internal float[] Weights { get; }
    internal float[] SentenceWeights { get; }
    internal float[] Bias { get; }

    /// <summary>Per output, weights of the comment's context features (<see cref="TextFeatures.DenseContext"/>); empty without context.</summary>
    internal float[] ContextWeights { get; private set; } = [];

    /// <summary>How many context features the head reads (0: none).</summary>
    public int ContextDimension => Outputs == 0 ? 0 : ContextWeights.Length / Outputs;

    /// <summary>
    /// One softmax over the outputs, the last being "no theme", instead of a logistic per output. A comment's themes share
    /// its probability (targets 1/labels each), so a theme's probability says how much of the comment is about it.
    /// </summary>
    public bool Softmax { get; private init; }

    internal TokenAttention(int outputs, int dimension, float[] queries, float[] weights, float[] sentenceWeights, float[] bias)
    {
        Outputs = outputs;
        Dimension = dimension;
        Heads = queries.Length / (outputs * dimension);
        Queries = queries;
        Weights = weights;
        SentenceWeights = sentenceWeights;
        Bias = bias;
    }

    /// <summary>Theme probabilities from word-piece vectors (pieces × dimension, row-major) and the sentence embedding.</summary>
    public void Predict(ReadOnlySpan<float> tokens, ReadOnlySpan<float> sentence, Span<float> probabilities, ReadOnlySpan<float> context = default)
    {
        var pieces = tokens.Length / Dimension;
        var scratch = new float[2 * Outputs * Heads * pieces];
        var half = Outputs * Heads * pieces;
        Logits(tokens, pieces, sentence, context, probabilities[..Outputs], scratch.AsSpan(0, half), scratch.AsSpan(half, half));
        if (Softmax)
        {
            TensorPrimitives.SoftMax(probabilities[..Outputs], probabilities[..Outputs]);
        }
        else
        {
            for (var t = 0; t < Outputs; t++)
            {
                probabilities[t] = 1f / (1f + MathF.Exp(-probabilities[t]));
            }
        }
    }

    /// <summary>
    /// Every output's logit. Leaves each head's attention weights in <paramref name="attention"/> and w_{t,k} · h_i in
    /// <paramref name="values"/>, both (outputs × heads) × pieces, row t × heads + k for output t's head k.
    /// </summary>
    private void Logits(ReadOnlySpan<float> tokens, int pieces, ReadOnlySpan<float> sentence, ReadOnlySpan<float> context, Span<float> z,
        Span<float> attention, Span<float> values)
    {
        var d = Dimension;
        var e = ContextDimension;
        for (var t = 0; t < Outputs; t++)
        {
            z[t] = Bias[t] + TensorPrimitives.Dot(SentenceWeights.AsSpan(t * d, d), sentence);
            if (e > 0 && context.Length == e)
            {
                z[t] += TensorPrimitives.Dot(ContextWeights.AsSpan(t * e, e), context);
            }
        }
        if (pieces == 0)
        {
            return;
        }
        var rows = Outputs * Heads;
        SmallMatrix.MultiplyTransposed(Queries, rows, tokens, pieces, d, attention);
        SmallMatrix.MultiplyTransposed(Weights, rows, tokens, pieces, d, values);
        for (var row = 0; row < rows; row++)
        {
            var a = attention.Slice(row * pieces, pieces);
            var c = values.Slice(row * pieces, pieces);
            // Softmax over the word pieces, shifted by the largest score so that no exponent overflows.
            var max = float.NegativeInfinity;
            for (var i = 0; i < pieces; i++)
            {
                max = MathF.Max(max, a[i]);
            }
            var sum = 0f;
            for (var i = 0; i < pieces; i++)
            {
                a[i] = MathF.Exp(a[i] - max);
                sum += a[i];
            }
            var pooled = 0f;
            for (var i = 0; i < pieces; i++)
            {
                a[i] /= sum;
                pooled += a[i] * c[i];
            }
            z[row / Heads] += pooled;
        }
    }

    /// <param name="tokens">Per comment, its word-piece vectors (pieces × dimension).</param>
    /// <param name="sentences">Per comment, its sentence embedding.</param>
    /// <param name="targets">Comments × outputs, 0 or 1; with <paramref name="softmax"/>, each comment's row sums to 1.</param>
    /// <param name="positiveWeights">Weight of a positive example per output (negatives weigh 1); not used with <paramref name="softmax"/>.</param>
    /// <param name="contexts">Per comment, its context features (all of one length), or null: the logit then adds a weight per output and feature.</param>
    public static TokenAttention Fit(IReadOnlyList<float[]> tokens, IReadOnlyList<float[]> sentences, float[] targets, int outputs, int dimension,
        float[] positiveWeights, int epochs, float learningRate, float l2, int seed, CancellationToken cancellationToken = default, int heads = 1,
        bool softmax = false, IReadOnlyList<float[]>? contexts = null)
    {
        var d = dimension;
        var n = tokens.Count;
        var random = new Random(seed);
        var weights = new float[outputs * heads * d];
        // Small random output weights, so the queries get a gradient from the first step (zero queries = mean pooling).
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)(random.NextDouble() - 0.5) * 0.02f;
        }
        var e = contexts is { Count: > 0 } ? contexts[0].Length : 0;
        var model = new TokenAttention(outputs, d, new float[outputs * heads * d], weights, new float[outputs * d], new float[outputs])
        {
            Softmax = softmax,
            ContextWeights = new float[outputs * e],
        };
        float[][] parameters = [model.Queries, model.Weights, model.SentenceWeights, model.Bias, model.ContextWeights];
        var gradients = parameters.Select(p => new float[p.Length]).ToArray();
        var first = parameters.Select(p => new float[p.Length]).ToArray();
        var second = parameters.Select(p => new float[p.Length]).ToArray();
        var maxPieces = tokens.Count == 0 ? 0 : tokens.Max(t => t.Length / d);
        var rows = outputs * heads;
        var attention = new float[rows * maxPieces];
        var values = new float[rows * maxPieces];
        var weightCoefficients = new float[rows * maxPieces];
        var queryCoefficients = new float[rows * maxPieces];
        var logits = new float[outputs];
        var order = Enumerable.Range(0, n).ToArray();
        const int batchSize = 32;
        var step = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            for (var start = 0; start < n; start += batchSize)
            {
                var count = Math.Min(batchSize, n - start);
                foreach (var g in gradients)
                {
                    Array.Clear(g);
                }
                for (var b = 0; b < count; b++)
                {
                    var r = order[start + b];
                    var h = tokens[r];
                    var m = sentences[r];
                    var context = e > 0 ? contexts![r] : null;
                    var pieces = h.Length / d;
                    var size = rows * pieces;
                    model.Logits(h, pieces, m, context, logits, attention.AsSpan(0, size), values.AsSpan(0, size));
                    if (softmax)
                    {
                        TensorPrimitives.SoftMax(logits, logits);
                    }
                    for (var t = 0; t < outputs; t++)
                    {
                        var y = targets[r * outputs + t];
                        var g = softmax
                            ? (logits[t] - y) / count
                            : (1f / (1f + MathF.Exp(-logits[t])) - y) * (y > 0.5f ? positiveWeights[t] : 1f) / count;
                        // Per head k: d z / d w = Σ a_i h_i and d z / d q = Σ a_i (c_i - c̄) h_i, with c_i = w · h_i and
                        // c̄ = Σ a_i c_i: weighted sums of the word pieces, whose weights are gathered here and summed below.
                        for (var k = 0; k < heads; k++)
                        {
                            var row = t * heads + k;
                            var a = attention.AsSpan(row * pieces, pieces);
                            var c = values.AsSpan(row * pieces, pieces);
                            var pooled = TensorPrimitives.Dot(a, c);
                            var cw = weightCoefficients.AsSpan(row * pieces, pieces);
                            var cq = queryCoefficients.AsSpan(row * pieces, pieces);
                            for (var i = 0; i < pieces; i++)
                            {
                                cw[i] = g * a[i];
                                cq[i] = g * a[i] * (c[i] - pooled);
                            }
                        }
                        var gu = gradients[2].AsSpan(t * d, d);
                        TensorPrimitives.MultiplyAdd(m, g, gu, gu);
                        gradients[3][t] += g;
                        if (context is not null)
                        {
                            var gv = gradients[4].AsSpan(t * e, e);
                            TensorPrimitives.MultiplyAdd(context, g, gv, gv);
                        }
                    }
                    if (pieces > 0)
                    {
                        SmallMatrix.MultiplyAdd(queryCoefficients.AsSpan(0, size), rows, h, pieces, d, gradients[0]);
                        SmallMatrix.MultiplyAdd(weightCoefficients.AsSpan(0, size), rows, h, pieces, d, gradients[1]);
                    }
                }
                step++;
                var rate = Adam.Rate(learningRate, step);
                for (var p = 0; p < parameters.Length; p++)
                {
                    if (parameters[p].Length > 0)
                    {
                        Adam.Update(parameters[p], gradients[p], first[p], second[p], rate, 1f, p == 3 ? 0f : l2);
                    }
                }
            }
        }
        return model;
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Outputs);
        writer.Write(Dimension);
        LinearModel.WriteArray(writer, Queries);
        LinearModel.WriteArray(writer, Weights);
        LinearModel.WriteArray(writer, SentenceWeights);
        LinearModel.WriteArray(writer, Bias);
    }

    /// <param name="themes">The model's learned themes: a head with one output more is a softmax head (its last output is "no theme").</param>
    internal static TokenAttention Read(BinaryReader reader, int themes)
    {
        var outputs = reader.ReadInt32();
        var dimension = reader.ReadInt32();
        var queries = LinearModel.ReadArray(reader);
        var weights = LinearModel.ReadArray(reader);
        var sentence = LinearModel.ReadArray(reader);
        var bias = LinearModel.ReadArray(reader);
        if (outputs <= 0 || dimension <= 0 || queries.Length == 0 || queries.Length % (outputs * dimension) != 0 || weights.Length != queries.Length
            || sentence.Length != outputs * dimension || bias.Length != outputs)
        {
            throw new InsightsException("model file is damaged: bad token attention head");
        }
        if (outputs != themes && outputs != themes + 1)
        {
            throw new InsightsException("model file is damaged: the token attention head does not fit the themes");
        }
        return new TokenAttention(outputs, dimension, queries, weights, sentence, bias) { Softmax = outputs == themes + 1 };
    }

    /// <summary>The context weights, stored apart from the head (after it in a model file; see <see cref="InsightsModel"/>).</summary>
    internal void WriteContext(BinaryWriter writer) => LinearModel.WriteArray(writer, ContextWeights);

    internal void ReadContext(BinaryReader reader)
    {
        var weights = LinearModel.ReadArray(reader);
        if (weights.Length % Outputs != 0)
        {
            throw new InsightsException("model file is damaged: bad token attention context weights");
        }
        ContextWeights = weights;
    }
}
