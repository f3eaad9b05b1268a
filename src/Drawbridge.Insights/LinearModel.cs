namespace Drawbridge.Insights;

/// <summary>
/// A linear layer over <see cref="FeatureVector"/>s with several outputs: independent logistic outputs (one per theme)
/// or one softmax over classes (sentiment). Weights are stored feature-major so one feature's weights for all outputs
/// are contiguous. Immutable after training, so scoring is thread-safe.
/// </summary>
public sealed class LinearModel
{
    public int Outputs { get; }
    public int SparseFeatures { get; }
    public int DenseFeatures { get; }
    public bool Softmax { get; }
    internal float[] SparseWeights { get; }
    internal float[] DenseWeights { get; }
    internal float[] Bias { get; }

    internal LinearModel(int outputs, int sparse, int dense, bool softmax, float[] sparseWeights, float[] denseWeights, float[] bias)
    {
        Outputs = outputs;
        SparseFeatures = sparse;
        DenseFeatures = dense;
        Softmax = softmax;
        SparseWeights = sparseWeights;
        DenseWeights = denseWeights;
        Bias = bias;
    }

    /// <summary>Probabilities: per output for logistic models, summing to one for softmax models.</summary>
    public void Predict(in FeatureVector x, Span<float> probabilities)
    {
        Logits(x, probabilities);
        Activate(probabilities, Softmax);
    }

    internal void Logits(in FeatureVector x, Span<float> z)
    {
        var t = Outputs;
        Bias.AsSpan().CopyTo(z);
        for (var k = 0; k < x.Indices.Length; k++)
        {
            AddScaled(z, SparseWeights.AsSpan(x.Indices[k] * t, t), x.Values[k]);
        }
        if (x.Dense is { } dense && DenseFeatures > 0)
        {
            for (var d = 0; d < dense.Length; d++)
            {
                AddScaled(z, DenseWeights.AsSpan(d * t, t), dense[d]);
            }
        }
    }

    internal static void Activate(Span<float> z, bool softmax)
    {
        if (softmax)
        {
            var max = float.NegativeInfinity;
            foreach (var v in z)
            {
                max = Math.Max(max, v);
            }
            float sum = 0;
            for (var i = 0; i < z.Length; i++)
            {
                z[i] = MathF.Exp(z[i] - max);
                sum += z[i];
            }
            for (var i = 0; i < z.Length; i++)
            {
                z[i] /= sum;
            }
        }
        else
        {
            for (var i = 0; i < z.Length; i++)
            {
                z[i] = 1f / (1f + MathF.Exp(-z[i]));
            }
        }
    }

    internal static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && target.Length >= System.Numerics.Vector<float>.Count)
        {
            var width = System.Numerics.Vector<float>.Count;
            var s = new System.Numerics.Vector<float>(scale);
            for (; i <= target.Length - width; i += width)
            {
                var v = new System.Numerics.Vector<float>(target[i..]) + new System.Numerics.Vector<float>(source[i..]) * s;
                v.CopyTo(target[i..]);
            }
        }
        for (; i < target.Length; i++)
        {
            target[i] += source[i] * scale;
        }
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Outputs);
        writer.Write(SparseFeatures);
        writer.Write(DenseFeatures);
        writer.Write(Softmax);
        WriteArray(writer, SparseWeights);
        WriteArray(writer, DenseWeights);
        WriteArray(writer, Bias);
    }

    internal static LinearModel Read(BinaryReader reader)
    {
        var outputs = reader.ReadInt32();
        var sparse = reader.ReadInt32();
        var dense = reader.ReadInt32();
        var softmax = reader.ReadBoolean();
        var sw = ReadArray(reader);
        var dw = ReadArray(reader);
        var b = ReadArray(reader);
        if (outputs <= 0 || sw.Length != (long)sparse * outputs || dw.Length != (long)dense * outputs || b.Length != outputs)
        {
            throw new InsightsException("model file is damaged: weight sizes do not match");
        }
        return new LinearModel(outputs, sparse, dense, softmax, sw, dw, b);
    }

    internal static void WriteArray(BinaryWriter writer, float[] values)
    {
        writer.Write(values.Length);
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    internal static float[] ReadArray(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0 || length > 500_000_000)
        {
            throw new InsightsException("model file is damaged: bad array length");
        }
        var values = new float[length];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (reader.Read(bytes) != bytes.Length)
        {
            throw new InsightsException("model file is truncated");
        }
        return values;
    }
}

/// <summary>Settings for fitting a <see cref="LinearModel"/>.</summary>
public sealed record LinearTrainingOptions
{
    public int Epochs { get; init; } = 12;
    public int BatchSize { get; init; } = 32;
    public float LearningRate { get; init; } = 0.02f;
    public float L2 { get; init; } = 1e-5f;
    public int Seed { get; init; } = 17;
}

/// <summary>
/// Fits a <see cref="LinearModel"/> by mini-batch Adam on (weighted) log loss with L2 regularisation. Sparse weights are
/// updated lazily (only rows of features present in the batch), which keeps an epoch proportional to the non-zeros.
/// Deterministic for a given seed: the only randomness is the shuffle order.
/// </summary>
public static class LinearTrainer
{
    /// <param name="targets">Row-major n × outputs: 0/1 per output (logistic) or one-hot (softmax).</param>
    /// <param name="outputWeights">For logistic models, the weight of a positive example per output (negatives weigh 1).</param>
    public static LinearModel Fit(IReadOnlyList<FeatureVector> rows, float[] targets, int outputs, int sparseFeatures, int denseFeatures,
        bool softmax, float[]? outputWeights, LinearTrainingOptions options, CancellationToken cancellationToken = default)
    {
        var n = rows.Count;
        var t = outputs;
        var ws = new float[sparseFeatures * t];
        var wd = new float[denseFeatures * t];
        var b = new float[t];
        var adam = new AdamState(ws.Length, wd.Length, t);
        var gs = new float[ws.Length];
        var gd = new float[wd.Length];
        var gb = new float[t];
        var touched = new int[sparseFeatures];
        var touchedList = new List<int>();
        var stamp = 0;
        var z = new float[t];
        var model = new LinearModel(t, sparseFeatures, denseFeatures, softmax, ws, wd, b);
        var random = new Random(options.Seed);
        var order = Enumerable.Range(0, n).ToArray();
        var steps = 0;
        var totalSteps = options.Epochs * ((n + options.BatchSize - 1) / options.BatchSize);
        // Initialise biases at the base rates so early steps learn features, not frequencies.
        if (n > 0)
        {
            for (var o = 0; o < t; o++)
            {
                double p = 0;
                for (var i = 0; i < n; i++)
                {
                    p += targets[i * t + o];
                }
                p = Math.Clamp(p / n, 1e-4, 1 - 1e-4);
                b[o] = softmax ? (float)Math.Log(p) : (float)Math.Log(p / (1 - p));
            }
        }
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            random.Shuffle(order);
            for (var start = 0; start < n; start += options.BatchSize)
            {
                var end = Math.Min(n, start + options.BatchSize);
                stamp++;
                touchedList.Clear();
                Array.Clear(gd);
                Array.Clear(gb);
                for (var k = start; k < end; k++)
                {
                    var i = order[k];
                    var x = rows[i];
                    model.Logits(x, z);
                    LinearModel.Activate(z, softmax);
                    // Residuals (prediction - target), times the example weight.
                    for (var o = 0; o < t; o++)
                    {
                        var y = targets[i * t + o];
                        var w = !softmax && outputWeights is not null && y > 0.5f ? outputWeights[o] : 1f;
                        z[o] = (z[o] - y) * w;
                        gb[o] += z[o];
                    }
                    for (var q = 0; q < x.Indices.Length; q++)
                    {
                        var j = x.Indices[q];
                        if (touched[j] != stamp)
                        {
                            touched[j] = stamp;
                            touchedList.Add(j);
                            Array.Clear(gs, j * t, t);
                        }
                        LinearModel.AddScaled(gs.AsSpan(j * t, t), z, x.Values[q]);
                    }
                    if (x.Dense is { } dense && denseFeatures > 0)
                    {
                        for (var d = 0; d < dense.Length; d++)
                        {
                            LinearModel.AddScaled(gd.AsSpan(d * t, t), z, dense[d]);
                        }
                    }
                }
                steps++;
                var scale = 1f / (end - start);
                // Linear decay to a tenth of the rate: large early steps, a settled finish.
                var lr = options.LearningRate * (1f - 0.9f * steps / totalSteps);
                adam.Step(lr, steps);
                foreach (var j in touchedList)
                {
                    adam.UpdateSparse(ws, gs, j * t, t, scale, options.L2);
                }
                adam.UpdateDense(wd, gd, scale, options.L2);
                adam.UpdateBias(b, gb, scale);
            }
        }
        return model;
    }

    private sealed class AdamState(int sparse, int dense, int outputs)
    {
        private readonly float[] _ms = new float[sparse];
        private readonly float[] _vs = new float[sparse];
        private readonly float[] _md = new float[dense];
        private readonly float[] _vd = new float[dense];
        private readonly float[] _mb = new float[outputs];
        private readonly float[] _vb = new float[outputs];
        private float _rate;

        public void Step(float learningRate, int step) => _rate = Adam.Rate(learningRate, step);

        public void UpdateSparse(float[] w, float[] g, int offset, int count, float scale, float l2) =>
            Adam.Update(w.AsSpan(offset, count), g.AsSpan(offset, count), _ms.AsSpan(offset, count), _vs.AsSpan(offset, count), _rate, scale, l2);

        public void UpdateDense(float[] w, float[] g, float scale, float l2) => Adam.Update(w, g, _md, _vd, _rate, scale, l2);

        public void UpdateBias(float[] w, float[] g, float scale) => Adam.Update(w, g, _mb, _vb, _rate, scale, 0);
    }
}

/// <summary>The Adam update shared by the linear models and the token attention head (bias correction folded into the rate).</summary>
internal static class Adam
{
    private const float Beta1 = 0.9f;
    private const float Beta2 = 0.999f;
    private const float Epsilon = 1e-8f;

    /// <summary>The step size for this step (1-based), with both moments' bias correction folded in.</summary>
    public static float Rate(float learningRate, int step) =>
        learningRate * MathF.Sqrt(1 - MathF.Pow(Beta2, step)) / (1 - MathF.Pow(Beta1, step));

    /// <summary>One step for weights <paramref name="w"/> from gradients <paramref name="g"/> (times <paramref name="scale"/>, plus L2), updating the moments.</summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float rate, float scale, float l2)
    {
        for (var i = 0; i < w.Length; i++)
        {
            var grad = g[i] * scale + l2 * w[i];
            m[i] = Beta1 * m[i] + (1 - Beta1) * grad;
            v[i] = Beta2 * v[i] + (1 - Beta2) * grad * grad;
            w[i] -= rate * m[i] / (MathF.Sqrt(v[i]) + Epsilon);
        }
    }
}
