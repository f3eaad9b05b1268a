using System.Runtime.Intrinsics;

namespace Drawbridge.Insights;

/// <summary>
/// The two small matrix products the token attention head spends its time in, register-blocked: every theme's query
/// against every word piece of one comment (a product with the transpose), and the gradients as weighted sums of the
/// word pieces. Row-by-row dot products read each word piece once per theme and head; these kernels read it once per
/// block of rows and keep their sums in registers. Training 6,500 comments went from 108–126 s to 77–80 s with them
/// (BENCHMARKS.md). Row-major; deterministic (a fixed summation order for given shapes).
/// </summary>
internal static class SmallMatrix
{
    /// <summary>out[r, p] = a[r, ·] · b[p, ·] for a (rows × d) and b (pieces × d); out is rows × pieces.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, int rows, ReadOnlySpan<float> b, int pieces, int d, Span<float> output)
    {
        var width = Vector256<float>.Count;
        var vectorised = Vector256.IsHardwareAccelerated ? d - d % width : 0;
        var r = 0;
        for (; r + 2 <= rows; r += 2)
        {
            var a0 = a.Slice(r * d, d);
            var a1 = a.Slice((r + 1) * d, d);
            var p = 0;
            for (; p + 4 <= pieces; p += 4)
            {
                var b0 = b.Slice(p * d, d);
                var b1 = b.Slice((p + 1) * d, d);
                var b2 = b.Slice((p + 2) * d, d);
                var b3 = b.Slice((p + 3) * d, d);
                Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
                Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
                for (var k = 0; k < vectorised; k += width)
                {
                    var x0 = Vector256.Create(a0.Slice(k, width));
                    var x1 = Vector256.Create(a1.Slice(k, width));
                    var y0 = Vector256.Create(b0.Slice(k, width));
                    var y1 = Vector256.Create(b1.Slice(k, width));
                    var y2 = Vector256.Create(b2.Slice(k, width));
                    var y3 = Vector256.Create(b3.Slice(k, width));
                    s00 = Vector256.FusedMultiplyAdd(x0, y0, s00);
                    s01 = Vector256.FusedMultiplyAdd(x0, y1, s01);
                    s02 = Vector256.FusedMultiplyAdd(x0, y2, s02);
                    s03 = Vector256.FusedMultiplyAdd(x0, y3, s03);
                    s10 = Vector256.FusedMultiplyAdd(x1, y0, s10);
                    s11 = Vector256.FusedMultiplyAdd(x1, y1, s11);
                    s12 = Vector256.FusedMultiplyAdd(x1, y2, s12);
                    s13 = Vector256.FusedMultiplyAdd(x1, y3, s13);
                }
                var o0 = output.Slice(r * pieces + p, 4);
                var o1 = output.Slice((r + 1) * pieces + p, 4);
                o0[0] = Vector256.Sum(s00) + Tail(a0, b0, vectorised);
                o0[1] = Vector256.Sum(s01) + Tail(a0, b1, vectorised);
                o0[2] = Vector256.Sum(s02) + Tail(a0, b2, vectorised);
                o0[3] = Vector256.Sum(s03) + Tail(a0, b3, vectorised);
                o1[0] = Vector256.Sum(s10) + Tail(a1, b0, vectorised);
                o1[1] = Vector256.Sum(s11) + Tail(a1, b1, vectorised);
                o1[2] = Vector256.Sum(s12) + Tail(a1, b2, vectorised);
                o1[3] = Vector256.Sum(s13) + Tail(a1, b3, vectorised);
            }
            for (; p < pieces; p++)
            {
                output[r * pieces + p] = Dot(a0, b.Slice(p * d, d), vectorised);
                output[(r + 1) * pieces + p] = Dot(a1, b.Slice(p * d, d), vectorised);
            }
        }
        for (; r < rows; r++)
        {
            for (var p = 0; p < pieces; p++)
            {
                output[r * pieces + p] = Dot(a.Slice(r * d, d), b.Slice(p * d, d), vectorised);
            }
        }
    }

    /// <summary>g[r, ·] += Σ_p coefficients[r, p] · b[p, ·] for coefficients (rows × pieces), b (pieces × d), g (rows × d).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> coefficients, int rows, ReadOnlySpan<float> b, int pieces, int d, Span<float> g)
    {
        var width = Vector256<float>.Count;
        var vectorised = Vector256.IsHardwareAccelerated ? d - d % (2 * width) : 0;
        var r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            var c0 = coefficients.Slice(r * pieces, pieces);
            var c1 = coefficients.Slice((r + 1) * pieces, pieces);
            var c2 = coefficients.Slice((r + 2) * pieces, pieces);
            var c3 = coefficients.Slice((r + 3) * pieces, pieces);
            for (var k = 0; k < vectorised; k += 2 * width)
            {
                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
                Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
                for (var p = 0; p < pieces; p++)
                {
                    var row = b.Slice(p * d + k, 2 * width);
                    var y0 = Vector256.Create(row[..width]);
                    var y1 = Vector256.Create(row[width..]);
                    var x0 = Vector256.Create(c0[p]);
                    var x1 = Vector256.Create(c1[p]);
                    var x2 = Vector256.Create(c2[p]);
                    var x3 = Vector256.Create(c3[p]);
                    s00 = Vector256.FusedMultiplyAdd(x0, y0, s00);
                    s01 = Vector256.FusedMultiplyAdd(x0, y1, s01);
                    s10 = Vector256.FusedMultiplyAdd(x1, y0, s10);
                    s11 = Vector256.FusedMultiplyAdd(x1, y1, s11);
                    s20 = Vector256.FusedMultiplyAdd(x2, y0, s20);
                    s21 = Vector256.FusedMultiplyAdd(x2, y1, s21);
                    s30 = Vector256.FusedMultiplyAdd(x3, y0, s30);
                    s31 = Vector256.FusedMultiplyAdd(x3, y1, s31);
                }
                Add(g.Slice(r * d + k, 2 * width), s00, s01);
                Add(g.Slice((r + 1) * d + k, 2 * width), s10, s11);
                Add(g.Slice((r + 2) * d + k, 2 * width), s20, s21);
                Add(g.Slice((r + 3) * d + k, 2 * width), s30, s31);
            }
            for (var q = 0; q < 4; q++)
            {
                ScalarRow(coefficients.Slice((r + q) * pieces, pieces), b, pieces, d, vectorised, g.Slice((r + q) * d, d));
            }
        }
        for (; r < rows; r++)
        {
            var c0 = coefficients.Slice(r * pieces, pieces);
            for (var k = 0; k < vectorised; k += 2 * width)
            {
                Vector256<float> s0 = default, s1 = default;
                for (var p = 0; p < pieces; p++)
                {
                    var row = b.Slice(p * d + k, 2 * width);
                    var x = Vector256.Create(c0[p]);
                    s0 = Vector256.FusedMultiplyAdd(x, Vector256.Create(row[..width]), s0);
                    s1 = Vector256.FusedMultiplyAdd(x, Vector256.Create(row[width..]), s1);
                }
                Add(g.Slice(r * d + k, 2 * width), s0, s1);
            }
            ScalarRow(c0, b, pieces, d, vectorised, g.Slice(r * d, d));
        }
    }

    private static void Add(Span<float> target, Vector256<float> low, Vector256<float> high)
    {
        var width = Vector256<float>.Count;
        (Vector256.Create((ReadOnlySpan<float>)target[..width]) + low).CopyTo(target[..width]);
        (Vector256.Create((ReadOnlySpan<float>)target[width..]) + high).CopyTo(target[width..]);
    }

    /// <summary>The columns from <paramref name="from"/> on of one row of <see cref="MultiplyAdd"/>.</summary>
    private static void ScalarRow(ReadOnlySpan<float> coefficients, ReadOnlySpan<float> b, int pieces, int d, int from, Span<float> g)
    {
        for (var p = 0; p < pieces; p++)
        {
            var c = coefficients[p];
            var row = b.Slice(p * d, d);
            for (var k = from; k < d; k++)
            {
                g[k] += c * row[k];
            }
        }
    }

    /// <summary>
    /// One entry outside a full block, summed exactly as the blocks sum theirs (eight lanes, then the tail), so an entry
    /// does not change with where it falls in the blocking; TensorPrimitives.Dot sums in another order.
    /// </summary>
    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int vectorised)
    {
        var width = Vector256<float>.Count;
        Vector256<float> sum = default;
        for (var k = 0; k < vectorised; k += width)
        {
            sum = Vector256.FusedMultiplyAdd(Vector256.Create(x.Slice(k, width)), Vector256.Create(y.Slice(k, width)), sum);
        }
        return Vector256.Sum(sum) + Tail(x, y, vectorised);
    }

    private static float Tail(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int from)
    {
        var sum = 0f;
        for (var k = from; k < x.Length; k++)
        {
            sum += x[k] * y[k];
        }
        return sum;
    }
}
