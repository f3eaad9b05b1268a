using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class NeighbourTests
{
    // Three tight groups of directions in 4-d, labelled 0, 1 and 2 (of three themes).
    private static readonly float[][] Vectors =
    [
        [1f, 0.1f, 0f, 0f], [1f, 0f, 0.1f, 0f], [1f, 0f, 0f, 0.1f],
        [0.1f, 1f, 0f, 0f], [0f, 1f, 0.1f, 0f], [0f, 1f, 0f, 0.1f],
        [0f, 0f, 1f, 0.1f], [0.1f, 0f, 1f, 0f], [0f, 0.1f, 1f, 0f],
    ];

    private static readonly int[][] Labels = [[0], [0], [0], [1], [1], [1], [2], [2], [2]];

    [Fact]
    public void A_new_comment_gets_the_themes_of_the_training_comments_nearest_to_it()
    {
        var bank = NeighbourLabels.Build(Vectors, Labels, width: 3, k: 3, temperature: 0.05f);
        var shares = bank.Describe([[0f, 2f, 0.1f, 0.1f], [3f, 0f, 0f, 0f]]);
        Assert.Equal(1, Array.IndexOf(shares[0], shares[0].Max()));
        Assert.True(shares[0][1] > 0.99f, $"share of theme 1: {shares[0][1]}");
        Assert.Equal(0, Array.IndexOf(shares[1], shares[1].Max()));
        Assert.All(shares, s => Assert.Equal(1f, s.Sum(), 3));
    }

    [Fact]
    public void A_bank_built_on_the_leading_part_of_the_vectors_ignores_the_rest()
    {
        // The groups are told apart by the first four values; four more values point every comment the other way.
        var longer = Vectors.Select((v, i) => v.Concat(Labels[i][0] == 0 ? [0f, 0f, 0f, 5f] : [5f, 0f, 0f, 0f]).ToArray()).ToArray();
        var bank = NeighbourLabels.Build(longer, Labels, width: 3, k: 3, temperature: 0.05f, dimension: 4);
        Assert.Equal(4, bank.Dimension);
        var shares = bank.Describe([[0f, 2f, 0.1f, 0.1f, 0f, 0f, 0f, 9f]]);
        Assert.True(shares[0][1] > 0.99f, $"share of theme 1: {shares[0][1]}");
        // On the whole vector, the trailing values win.
        var whole = NeighbourLabels.Build(longer, Labels, width: 3, k: 3, temperature: 0.05f);
        Assert.True(whole.Describe([[0f, 2f, 0.1f, 0.1f, 0f, 0f, 0f, 9f]])[0][0] > 0.99f);
    }

    [Fact]
    public void A_training_comment_is_described_by_the_others_not_by_itself()
    {
        // The last comment sits alone with theme 2 among theme-0 comments: left out, its neighbours say theme 0.
        float[][] vectors = [[1f, 0f], [1f, 0.05f], [1f, -0.05f], [1f, 0.02f]];
        int[][] labels = [[0], [0], [0], [2]];
        var bank = NeighbourLabels.Build(vectors, labels, width: 3, k: 2, temperature: 1f);
        var own = bank.LeaveOneOut();
        Assert.Equal(0f, own[3][2]);
        Assert.Equal(1f, own[3][0], 5);
        // Asked as a new comment, the same text finds itself and carries its own theme.
        Assert.True(bank.Describe([vectors[3]])[0][2] > 0.4f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_neighbour_mix_is_used_only_when_it_helps_on_validation(bool neighboursKnowBetter)
    {
        // Two themes, 200 comments: one source of scores ranks every comment right, the other is noise.
        const int n = 200;
        var random = new Random(3);
        var targets = new float[n * 2];
        var good = new float[n * 2];
        var noise = new float[n * 2];
        for (var i = 0; i < n; i++)
        {
            var theme = i % 2;
            targets[i * 2 + theme] = 1;
            for (var k = 0; k < 2; k++)
            {
                good[i * 2 + k] = k == theme ? 0.6f + 0.3f * random.NextSingle() : 0.1f + 0.3f * random.NextSingle();
                noise[i * 2 + k] = random.NextSingle();
            }
        }
        var (scores, shares) = neighboursKnowBetter ? (noise, good) : (good, noise);
        var rows = Enumerable.Range(0, n).Select(i => shares.AsSpan(i * 2, 2).ToArray()).ToArray();
        var (blend, mixed) = InsightsTrainer.TuneBlend(scores, rows, targets, n, 2);
        if (neighboursKnowBetter)
        {
            Assert.True(blend >= 0.5f, $"blend {blend}");
        }
        else
        {
            Assert.Equal(0f, blend);
            Assert.Equal(scores, mixed);
        }
    }

    [Fact]
    public void A_bank_written_and_read_back_describes_comments_the_same()
    {
        var bank = NeighbourLabels.Build(Vectors, Labels, width: 3, k: 4, temperature: 0.1f);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            bank.Write(writer);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        var loaded = NeighbourLabels.Read(reader);
        float[][] queries = [[0.3f, 0.5f, 0.2f, 0f], [0f, 0f, 0f, 1f]];
        Assert.Equal(bank.Describe(queries), loaded.Describe(queries));
        Assert.Equal(bank.LeaveOneOut(), loaded.LeaveOneOut());
    }
}
