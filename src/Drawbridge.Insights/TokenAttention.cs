using System.Numerics.Tensors;

namespace Drawbridge.Insights;

/// <summary>
/// Label-wise attention over a comment's word-piece vectors (LAAT/CAML style): per theme t, a query q_t weighs the
/// comment's word pieces, a_i = softmax_i(q_t · h_i); the weighted sum v_t = Σ a_i h_i and the sentence embedding m give
/// the theme's logit w_t · v_t + u_t · m + b_t. So each theme reads the words that carry it ("staff lovely but waited
/// four hours") instead of one mean over the whole comment. With several heads a theme has several queries, each with
/// its own weighted sum and output weights, and the logit adds what each head reads, so a theme can depend on two words
/// together. Word-piece vectors are MiniLM's hidden states, unit length, without [CLS] and [SEP]. Trained by mini-batch
/// Adam with L2 on weighted logistic loss; immutable afterwards.
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
    public void Predict(ReadOnlySpan<float> tokens, ReadOnlySpan<float> sentence, Span<float> probabilities)
    {
        var pieces = tokens.Length / Dimension;
        var scratch = new float[2 * pieces * Heads];
        for (var t = 0; t < Outputs; t++)
        {
            var z = Logit(t, tokens, pieces, sentence, scratch.AsSpan(0, pieces * Heads), scratch.AsSpan(pieces * Heads, pieces * Heads));
            probabilities[t] = 1f / (1f + MathF.Exp(-z));
        }
    }

    /// <summary>
    /// Theme t's logit; leaves each head's attention weights in <paramref name="attention"/> and w_{t,k} · h_i in
    /// <paramref name="values"/> (head k's at k × pieces).
    /// </summary>
    private float Logit(int t, ReadOnlySpan<float> tokens, int pieces, ReadOnlySpan<float> sentence, Span<float> attention, Span<float> values)
    {
        var d = Dimension;
        var z = Bias[t] + TensorPrimitives.Dot(SentenceWeights.AsSpan(t * d, d), sentence);
        if (pieces == 0)
        {
            return z;
        }
        for (var k = 0; k < Heads; k++)
        {
            var q = Queries.AsSpan((t * Heads + k) * d, d);
            var w = Weights.AsSpan((t * Heads + k) * d, d);
            var a = attention.Slice(k * pieces, pieces);
            var c = values.Slice(k * pieces, pieces);
            var max = float.NegativeInfinity;
            for (var i = 0; i < pieces; i++)
            {
                var h = tokens.Slice(i * d, d);
                a[i] = TensorPrimitives.Dot(q, h);
                c[i] = TensorPrimitives.Dot(w, h);
                max = MathF.Max(max, a[i]);
            }
            var sum = 0f;
            for (var i = 0; i < pieces; i++)
            {
                a[i] = MathF.Exp(a[i] - max);
                sum += a[i];
            }
            for (var i = 0; i < pieces; i++)
            {
                a[i] /= sum;
                z += a[i] * c[i];
            }
        }
        return z;
    }

    /// <param name="tokens">Per comment, its word-piece vectors (pieces × dimension).</param>
    /// <param name="sentences">Per comment, its sentence embedding.</param>
    /// <param name="targets">Comments × outputs, 0 or 1.</param>
    /// <param name="positiveWeights">Weight of a positive example per output (negatives weigh 1).</param>
    public static TokenAttention Fit(IReadOnlyList<float[]> tokens, IReadOnlyList<float[]> sentences, float[] targets, int outputs, int dimension,
        float[] positiveWeights, int epochs, float learningRate, float l2, int seed, CancellationToken cancellationToken = default, int heads = 1)
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
        var model = new TokenAttention(outputs, d, new float[outputs * heads * d], weights, new float[outputs * d], new float[outputs]);
        float[][] parameters = [model.Queries, model.Weights, model.SentenceWeights, model.Bias];
        var gradients = parameters.Select(p => new float[p.Length]).ToArray();
        var first = parameters.Select(p => new float[p.Length]).ToArray();
        var second = parameters.Select(p => new float[p.Length]).ToArray();
        var maxPieces = tokens.Count == 0 ? 0 : tokens.Max(t => t.Length / d);
        var attention = new float[maxPieces * heads];
        var values = new float[maxPieces * heads];
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
                    var pieces = h.Length / d;
                    for (var t = 0; t < outputs; t++)
                    {
                        var z = model.Logit(t, h, pieces, m, attention, values);
                        var y = targets[r * outputs + t];
                        var g = (1f / (1f + MathF.Exp(-z)) - y) * (y > 0.5f ? positiveWeights[t] : 1f) / count;
                        // Per head k: d z / d q = Σ a_i (c_i - c̄) h_i with c_i = w · h_i and c̄ = Σ a_i c_i; d z / d w = Σ a_i h_i.
                        for (var k = 0; k < heads; k++)
                        {
                            var a = attention.AsSpan(k * pieces, pieces);
                            var c = values.AsSpan(k * pieces, pieces);
                            var pooled = 0f;
                            for (var i = 0; i < pieces; i++)
                            {
                                pooled += a[i] * c[i];
                            }
                            var gq = gradients[0].AsSpan((t * heads + k) * d, d);
                            var gw = gradients[1].AsSpan((t * heads + k) * d, d);
                            for (var i = 0; i < pieces; i++)
                            {
                                var hi = h.AsSpan(i * d, d);
                                TensorPrimitives.MultiplyAdd(hi, g * a[i], gw, gw);
                                TensorPrimitives.MultiplyAdd(hi, g * a[i] * (c[i] - pooled), gq, gq);
                            }
                        }
                        var gu = gradients[2].AsSpan(t * d, d);
                        TensorPrimitives.MultiplyAdd(m, g, gu, gu);
                        gradients[3][t] += g;
                    }
                }
                step++;
                var rate = Adam.Rate(learningRate, step);
                for (var p = 0; p < parameters.Length; p++)
                {
                    Adam.Update(parameters[p], gradients[p], first[p], second[p], rate, 1f, p == 3 ? 0f : l2);
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

    internal static TokenAttention Read(BinaryReader reader)
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
        return new TokenAttention(outputs, dimension, queries, weights, sentence, bias);
    }
}
