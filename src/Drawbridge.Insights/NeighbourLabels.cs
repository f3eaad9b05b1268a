using System.Numerics.Tensors;

namespace Drawbridge.Insights;

/// <summary>
/// The labelled training comments as a bank of sentence embeddings, so a comment can be described by the themes of
/// the training comments most like it: for each learned theme, the similarity-weighted share of its
/// <see cref="K"/> nearest neighbours (cosine) that carry the theme. These shares are fed to the linear models as
/// extra features, which gives them a cheap non-linear view of the embedding space (fine-grained themes often sit in
/// small pockets that one hyperplane per theme cannot carve out).
/// Training comments are described by their neighbours among the <em>other</em> training comments (leave one out),
/// which is exactly how an unseen comment is described later, so the linear models learn how far to trust the shares.
/// Vectors are kept at half precision (the model file stores them), which does not change neighbours measurably.
/// </summary>
public sealed class NeighbourLabels
{
    private const int QueryBlock = 32;

    /// <summary>Row-major rows × dimension, unit length, rounded to half precision.</summary>
    private readonly float[] _vectors;

    /// <summary>Per bank row, the learned-theme positions it carries.</summary>
    private readonly int[][] _labels;

    public int Rows { get; }
    public int Dimension { get; }

    /// <summary>Learned themes: the width of the features.</summary>
    public int Width { get; }
    public int K { get; }

    /// <summary>Sharpness of the similarity weighting: a neighbour weighs exp(similarity / temperature).</summary>
    public float Temperature { get; }

    private NeighbourLabels(float[] vectors, int[][] labels, int dimension, int width, int k, float temperature)
    {
        _vectors = vectors;
        _labels = labels;
        Rows = labels.Length;
        Dimension = dimension;
        Width = width;
        K = k;
        Temperature = temperature;
    }

    /// <param name="embeddings">Training comments' sentence embeddings (any length; they are normalised).</param>
    /// <param name="labels">Per training comment, the learned-theme positions (0..width-1) it carries.</param>
    /// <param name="dimension">How many leading values of each embedding the bank keeps and compares (0: all).</param>
    public static NeighbourLabels Build(IReadOnlyList<float[]> embeddings, IReadOnlyList<int[]> labels, int width, int k, float temperature, int dimension = 0)
    {
        if (embeddings.Count != labels.Count)
        {
            throw new ArgumentException("one label set per embedding", nameof(labels));
        }
        if (k < 1 || temperature <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1 and the temperature positive");
        }
        var full = embeddings.Count == 0 ? 0 : embeddings[0].Length;
        dimension = dimension > 0 ? Math.Min(dimension, full) : full;
        var vectors = new float[embeddings.Count * dimension];
        for (var i = 0; i < embeddings.Count; i++)
        {
            var row = vectors.AsSpan(i * dimension, dimension);
            embeddings[i].AsSpan(0, dimension).CopyTo(row);
            Normalise(row);
        }
        return new NeighbourLabels(vectors, labels.Select(l => l.ToArray()).ToArray(), dimension, width, k, temperature);
    }

    private static void Normalise(Span<float> row)
    {
        var norm = MathF.Sqrt(TensorPrimitives.Dot(row, row));
        var scale = norm > 0 ? 1f / norm : 0f;
        for (var d = 0; d < row.Length; d++)
        {
            row[d] = (float)(Half)(row[d] * scale);
        }
    }

    /// <summary>Features of the bank's own rows, each from its neighbours among the other rows.</summary>
    public float[][] LeaveOneOut(int parallelism = 0, CancellationToken cancellationToken = default)
    {
        var queries = new float[Rows][];
        for (var i = 0; i < Rows; i++)
        {
            queries[i] = _vectors.AsSpan(i * Dimension, Dimension).ToArray();
        }
        return Describe(queries, leaveOneOut: true, parallelism, cancellationToken);
    }

    /// <summary>Features of new comments from their sentence embeddings (of which the bank's leading <see cref="Dimension"/> values count).</summary>
    public float[][] Describe(IReadOnlyList<float[]> embeddings, int parallelism = 0, CancellationToken cancellationToken = default)
    {
        var queries = new float[embeddings.Count][];
        for (var i = 0; i < embeddings.Count; i++)
        {
            queries[i] = embeddings[i].AsSpan(0, Dimension).ToArray();
            Normalise(queries[i]);
        }
        return Describe(queries, leaveOneOut: false, parallelism, cancellationToken);
    }

    private float[][] Describe(float[][] queries, bool leaveOneOut, int parallelism, CancellationToken cancellationToken)
    {
        var result = new float[queries.Length][];
        var blocks = (queries.Length + QueryBlock - 1) / QueryBlock;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        var blockSize = Math.Min(QueryBlock, queries.Length);
        Parallel.For(0, blocks, options, () => new float[blockSize * Rows], (b, _, similarities) =>
        {
            var start = b * QueryBlock;
            var count = Math.Min(QueryBlock, queries.Length - start);
            // Bank row outermost, so each bank vector is read from memory once per block of queries.
            for (var j = 0; j < Rows; j++)
            {
                var bankRow = _vectors.AsSpan(j * Dimension, Dimension);
                for (var q = 0; q < count; q++)
                {
                    similarities[q * Rows + j] = TensorPrimitives.Dot(bankRow, queries[start + q]);
                }
            }
            for (var q = 0; q < count; q++)
            {
                var row = similarities.AsSpan(q * Rows, Rows);
                result[start + q] = FromSimilarities(row, leaveOneOut ? start + q : -1);
            }
            return similarities;
        }, _ => { });
        return result;
    }

    /// <summary>Similarity-weighted theme shares of the K most similar rows (ties broken by the lower row).</summary>
    private float[] FromSimilarities(ReadOnlySpan<float> similarities, int exclude)
    {
        var k = Math.Min(K, Rows - (exclude >= 0 ? 1 : 0));
        var features = new float[Width];
        if (k <= 0)
        {
            return features;
        }
        // Small sorted insertion list: k is tens, rows thousands.
        Span<int> best = stackalloc int[k];
        Span<float> bestSim = stackalloc float[k];
        var filled = 0;
        for (var j = 0; j < similarities.Length; j++)
        {
            if (j == exclude)
            {
                continue;
            }
            var s = similarities[j];
            if (filled == k && s <= bestSim[k - 1])
            {
                continue;
            }
            var p = filled < k ? filled++ : k - 1;
            while (p > 0 && bestSim[p - 1] < s)
            {
                best[p] = best[p - 1];
                bestSim[p] = bestSim[p - 1];
                p--;
            }
            best[p] = j;
            bestSim[p] = s;
        }
        var top = bestSim[0];
        double total = 0;
        for (var r = 0; r < filled; r++)
        {
            var w = (float)Math.Exp((bestSim[r] - top) / Temperature);
            total += w;
            foreach (var t in _labels[best[r]])
            {
                features[t] += w;
            }
        }
        for (var t = 0; t < features.Length; t++)
        {
            features[t] = (float)(features[t] / total);
        }
        return features;
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Rows);
        writer.Write(Dimension);
        writer.Write(Width);
        writer.Write(K);
        writer.Write(Temperature);
        var half = new Half[_vectors.Length];
        for (var i = 0; i < half.Length; i++)
        {
            half[i] = (Half)_vectors[i];
        }
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(half.AsSpan()));
        foreach (var labels in _labels)
        {
            writer.Write(labels.Length);
            foreach (var t in labels)
            {
                writer.Write(t);
            }
        }
    }

    internal static NeighbourLabels Read(BinaryReader reader)
    {
        var rows = reader.ReadInt32();
        var dimension = reader.ReadInt32();
        var width = reader.ReadInt32();
        var k = reader.ReadInt32();
        var temperature = reader.ReadSingle();
        if (rows < 0 || dimension < 0 || (long)rows * dimension > 200_000_000 || width < 0 || k < 1 || !(temperature > 0))
        {
            throw new InsightsException("model file is damaged: bad neighbour bank");
        }
        var half = new Half[rows * dimension];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(half.AsSpan());
        for (var read = 0; read < bytes.Length;)
        {
            var got = reader.Read(bytes[read..]);
            if (got == 0)
            {
                throw new InsightsException("model file is truncated");
            }
            read += got;
        }
        var vectors = new float[half.Length];
        for (var i = 0; i < half.Length; i++)
        {
            vectors[i] = (float)half[i];
        }
        var labels = new int[rows][];
        for (var i = 0; i < rows; i++)
        {
            var count = reader.ReadInt32();
            if (count < 0 || count > width)
            {
                throw new InsightsException("model file is damaged: bad neighbour labels");
            }
            labels[i] = new int[count];
            for (var c = 0; c < count; c++)
            {
                labels[i][c] = reader.ReadInt32();
                if (labels[i][c] < 0 || labels[i][c] >= width)
                {
                    throw new InsightsException("model file is damaged: bad neighbour labels");
                }
            }
        }
        return new NeighbourLabels(vectors, labels, dimension, width, k, temperature);
    }
}
