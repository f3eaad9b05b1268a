using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

/// <summary>The attention head's blocked products agree with the plain sums, for shapes that fill no block exactly.</summary>
public sealed class SmallMatrixTests
{
    private static float[] Random(int count, Random random) =>
        Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 5, 40)]
    [InlineData(82, 19, 768)]
    [InlineData(4, 4, 16)]
    [InlineData(3, 9, 13)]
    public void Products_match_the_plain_sums(int rows, int pieces, int d)
    {
        var random = new Random(rows * 1000 + pieces * 10 + d);
        var a = Random(rows * d, random);
        var b = Random(pieces * d, random);
        var product = new float[rows * pieces];
        SmallMatrix.MultiplyTransposed(a, rows, b, pieces, d, product);
        for (var r = 0; r < rows; r++)
        {
            for (var p = 0; p < pieces; p++)
            {
                var expected = 0.0;
                for (var k = 0; k < d; k++)
                {
                    expected += a[r * d + k] * (double)b[p * d + k];
                }
                Assert.Equal(expected, product[r * pieces + p], 1e-4 * Math.Sqrt(d));
            }
        }

        var coefficients = Random(rows * pieces, random);
        var start = Random(rows * d, random);
        var g = start.ToArray();
        SmallMatrix.MultiplyAdd(coefficients, rows, b, pieces, d, g);
        for (var r = 0; r < rows; r++)
        {
            for (var k = 0; k < d; k++)
            {
                var expected = (double)start[r * d + k];
                for (var p = 0; p < pieces; p++)
                {
                    expected += coefficients[r * pieces + p] * (double)b[p * d + k];
                }
                Assert.Equal(expected, g[r * d + k], 1e-4 * Math.Sqrt(pieces));
            }
        }
    }
}
