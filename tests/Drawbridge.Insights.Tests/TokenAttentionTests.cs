using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class TokenAttentionTests
{
    private const int Dimension = 8;

    // Comments of 3 to 7 word pieces drawn from 8 orthogonal "words"; theme 0 is present when word 0 is, theme 1 when word 1 is.
    private static (float[][] Tokens, float[][] Sentences, float[] Targets) Comments(int count, int seed)
    {
        var random = new Random(seed);
        var tokens = new float[count][];
        var sentences = new float[count][];
        var targets = new float[count * 2];
        for (var c = 0; c < count; c++)
        {
            var pieces = random.Next(3, 8);
            tokens[c] = new float[pieces * Dimension];
            sentences[c] = new float[Dimension];
            for (var i = 0; i < pieces; i++)
            {
                var word = random.Next(Dimension);
                tokens[c][i * Dimension + word] = 1f;
                sentences[c][word] += 1f / pieces;
                if (word < 2)
                {
                    targets[c * 2 + word] = 1f;
                }
            }
        }
        return (tokens, sentences, targets);
    }

    private static TokenAttention Fit(int seed = 3)
    {
        var (tokens, sentences, targets) = Comments(600, seed: 1);
        return TokenAttention.Fit(tokens, sentences, targets, outputs: 2, Dimension, [1f, 1f], epochs: 30, learningRate: 0.02f, l2: 1e-5f, seed);
    }

    [Fact]
    public void Each_theme_finds_the_word_that_carries_it_wherever_it_is_in_the_comment()
    {
        var model = Fit();
        var (tokens, sentences, targets) = Comments(200, seed: 2);
        var correct = 0;
        var p = new float[2];
        for (var c = 0; c < tokens.Length; c++)
        {
            model.Predict(tokens[c], sentences[c], p);
            for (var t = 0; t < 2; t++)
            {
                correct += (p[t] >= 0.5f) == (targets[c * 2 + t] > 0.5f) ? 1 : 0;
            }
        }
        Assert.True(correct >= 0.97 * 2 * tokens.Length, $"{correct} of {2 * tokens.Length} decisions right");
    }

    [Fact]
    public void Context_features_decide_a_theme_the_words_cannot()
    {
        // Theme 0 when word 0 is present and the context is the first of two values; word 0 under the second value is
        // theme 1 (as "Nothing" answers "what could be better?" or "what was good?").
        float[][] Contexts(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => random.Next(2) == 0 ? new[] { 1f, 0f } : new[] { 0f, 1f }).ToArray();
        }
        float[] Relabel(float[] targets, float[][] contexts)
        {
            var result = new float[targets.Length];
            for (var c = 0; c < contexts.Length; c++)
            {
                result[c * 2 + (contexts[c][0] > 0 ? 0 : 1)] = targets[c * 2];
            }
            return result;
        }
        var (tokens, sentences, targets) = Comments(600, seed: 1);
        var contexts = Contexts(600, seed: 5);
        var model = TokenAttention.Fit(tokens, sentences, Relabel(targets, contexts), outputs: 2, Dimension, [1f, 1f], epochs: 30, learningRate: 0.02f,
            l2: 1e-5f, seed: 3, contexts: contexts);
        Assert.Equal(2, model.ContextDimension);
        var (testTokens, testSentences, testTargets) = Comments(200, seed: 2);
        var testContexts = Contexts(200, seed: 6);
        var expected = Relabel(testTargets, testContexts);
        var correct = 0;
        var p = new float[2];
        for (var c = 0; c < testTokens.Length; c++)
        {
            model.Predict(testTokens[c], testSentences[c], p, testContexts[c]);
            for (var t = 0; t < 2; t++)
            {
                correct += (p[t] >= 0.5f) == (expected[c * 2 + t] > 0.5f) ? 1 : 0;
            }
        }
        Assert.True(correct >= 0.95 * 2 * testTokens.Length, $"{correct} of {2 * testTokens.Length} decisions right");
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed_and_a_head_reads_back_the_same()
    {
        var first = Fit();
        var second = Fit();
        var loaded = WrittenAndRead(first, themes: 2);
        var (tokens, sentences, _) = Comments(20, seed: 4);
        var a = new float[2];
        var b = new float[2];
        var c = new float[2];
        for (var k = 0; k < tokens.Length; k++)
        {
            first.Predict(tokens[k], sentences[k], a);
            second.Predict(tokens[k], sentences[k], b);
            loaded.Predict(tokens[k], sentences[k], c);
            Assert.Equal(a, b);
            Assert.Equal(a, c);
        }
    }

    [Fact]
    public void A_softmax_head_shares_a_comment_between_its_themes_and_no_theme_and_reads_back_as_softmax()
    {
        // Targets: a comment's themes share it equally; a comment with neither theme is "no theme" (the third output).
        var (tokens, sentences, targets) = Comments(600, seed: 1);
        var soft = SoftTargets(targets, tokens.Length);
        var model = TokenAttention.Fit(tokens, sentences, soft, outputs: 3, Dimension, [1f, 1f, 1f], epochs: 30, learningRate: 0.02f, l2: 1e-5f,
            seed: 3, softmax: true);
        Assert.True(model.Softmax);
        var loaded = WrittenAndRead(model, themes: 2);
        Assert.True(loaded.Softmax);

        (tokens, sentences, targets) = Comments(200, seed: 2);
        var expected = SoftTargets(targets, tokens.Length);
        var p = new float[3];
        var q = new float[3];
        var correct = 0;
        for (var c = 0; c < tokens.Length; c++)
        {
            model.Predict(tokens[c], sentences[c], p);
            loaded.Predict(tokens[c], sentences[c], q);
            Assert.Equal(p, q);
            Assert.Equal(1f, p.Sum(), 3);
            for (var t = 0; t < 3; t++)
            {
                // Each output near its share: 1 for the only theme, 1/2 each for two, 0 for an absent one.
                correct += Math.Abs(p[t] - expected[c * 3 + t]) < 0.25f ? 1 : 0;
            }
        }
        Assert.True(correct >= 0.95 * 3 * tokens.Length, $"{correct} of {3 * tokens.Length} shares within 0.25");
    }

    [Fact]
    public void The_attention_head_is_a_softmax_for_one_or_few_themes_per_comment_and_logistic_for_many()
    {
        // Four comments, three themes: one theme each (and a comment without one), then two or three themes each.
        float[] sparse = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1];
        float[] dense = [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1];
        var options = new TrainingOptions();
        Assert.True(InsightsTrainer.AttentionAsSoftmax(sparse, 4, 3, options));
        Assert.False(InsightsTrainer.AttentionAsSoftmax(dense, 4, 3, options));
        Assert.False(InsightsTrainer.AttentionAsSoftmax(sparse, 4, 3, options with { TokenAttentionSoftmax = false }));
    }

    private static TokenAttention WrittenAndRead(TokenAttention head, int themes)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            head.Write(writer);
        }
        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        return TokenAttention.Read(reader, themes);
    }

    private static float[] SoftTargets(float[] targets, int count)
    {
        var soft = new float[count * 3];
        for (var c = 0; c < count; c++)
        {
            var labels = targets[c * 2] + targets[c * 2 + 1];
            soft[c * 3] = labels > 0 ? targets[c * 2] / labels : 0;
            soft[c * 3 + 1] = labels > 0 ? targets[c * 2 + 1] / labels : 0;
            soft[c * 3 + 2] = labels > 0 ? 0 : 1;
        }
        return soft;
    }

    [Fact]
    public void The_attention_mix_is_used_only_when_it_helps_on_validation()
    {
        // Two themes, 40 comments: the linear scores are uninformative, the attention scores are the labels.
        const int n = 40;
        var random = new Random(5);
        var targets = new float[n * 2];
        var scores = new float[n * 2];
        var attention = new float[n * 2];
        for (var i = 0; i < n * 2; i++)
        {
            targets[i] = random.Next(2);
            scores[i] = (float)random.NextDouble();
            attention[i] = targets[i] * 0.8f + 0.1f;
        }
        var (_, _, helpful, _) = InsightsTrainer.TuneMix(scores, null, null, attention, targets, n, 2);
        Assert.True(helpful > 0);
        var (_, _, useless, _) = InsightsTrainer.TuneMix(scores, null, null, scores.Select(s => 1 - s).ToArray(), targets, n, 2);
        Assert.Equal(0f, useless);
    }

    [Fact]
    public void MiniLm_word_pieces_are_unit_vectors_without_the_special_tokens()
    {
        using var embedder = new MiniLmEmbedder();
        var (embeddings, tokens) = embedder.EmbedWithTokens(["staff were lovely", "waited four hours"]);
        Assert.Equal(embedder.Embed(["staff were lovely", "waited four hours"]), embeddings);
        Assert.All(tokens, t => Assert.Equal(0, t.Length % embedder.Dimension));
        Assert.Equal(3 * embedder.Dimension, tokens[0].Length);
        for (var i = 0; i < tokens[1].Length / embedder.Dimension; i++)
        {
            var squares = tokens[1].AsSpan(i * embedder.Dimension, embedder.Dimension).ToArray().Sum(x => x * x);
            Assert.InRange(squares, 0.999f, 1.001f);
        }
    }

    [Fact]
    public void The_caching_embedder_answers_repeats_and_known_comments_as_the_model_does()
    {
        using var model = new MiniLmEmbedder();
        var caching = new CachingEmbedder(model, tokenCapacity: 1);
        var (direct, directTokens) = model.EmbedWithTokens(["staff were lovely", "waited four hours"]);

        var (first, firstTokens) = caching.EmbedWithTokens(["staff were lovely", "waited four hours", "staff were lovely"]);
        Assert.Equal(direct, first[..2]);
        Assert.Equal(directTokens, firstTokens[..2]);
        Assert.Same(first[0], first[2]);
        Assert.Same(firstTokens[0], firstTokens[2]);
        Assert.Equal(2, caching.CachedCount);

        // Both sentences are remembered, but word pieces only for the first comment (capacity 1): the other is run again.
        var (second, secondTokens) = caching.EmbedWithTokens(["waited four hours", "staff were lovely"]);
        Assert.Same(first[0], second[1]);
        Assert.Same(firstTokens[0], secondTokens[1]);
        Assert.NotSame(firstTokens[1], secondTokens[0]);
        Assert.Equal(directTokens[1].Length, secondTokens[0].Length);
        for (var i = 0; i < directTokens[1].Length; i++)
        {
            Assert.Equal(directTokens[1][i], secondTokens[0][i], 1e-4f);
        }
        Assert.Same(first[1], caching.Embed(["waited four hours"])[0]);
    }

    [Fact]
    public void Two_heads_learn_a_theme_that_needs_two_words_together_which_one_head_cannot()
    {
        // Theme 0 when words 0 and 1 both occur; theme 1 when word 2 occurs. One head reads one weighted mean of the
        // comment's words, so "word 0 alone" and "words 0 and 1" look alike to it; two heads can each find one word.
        static (float[][] Tokens, float[][] Sentences, float[] Targets) Data(int count, int seed)
        {
            var random = new Random(seed);
            var tokens = new float[count][];
            var sentences = new float[count][];
            var targets = new float[count * 2];
            for (var c = 0; c < count; c++)
            {
                var words = Enumerable.Range(0, random.Next(3, 7)).Select(_ => random.Next(3, Dimension)).ToList();
                var kind = random.Next(4);
                if (kind is 1 or 3)
                {
                    words[0] = 0;
                }
                if (kind is 2 or 3)
                {
                    words[^1] = 1;
                }
                if (random.Next(3) == 0)
                {
                    words[1] = 2;
                }
                tokens[c] = new float[words.Count * Dimension];
                sentences[c] = new float[Dimension];
                for (var i = 0; i < words.Count; i++)
                {
                    tokens[c][i * Dimension + words[i]] = 1f;
                }
                targets[c * 2] = kind == 3 ? 1f : 0f;
                targets[c * 2 + 1] = words.Contains(2) ? 1f : 0f;
            }
            return (tokens, sentences, targets);
        }

        var (trainTokens, trainSentences, trainTargets) = Data(800, seed: 1);
        var (tokens, sentences, targets) = Data(300, seed: 2);
        double Accuracy(int heads)
        {
            var model = TokenAttention.Fit(trainTokens, trainSentences, trainTargets, outputs: 2, Dimension, [1f, 1f], epochs: 40,
                learningRate: 0.02f, l2: 1e-5f, seed: 3, heads: heads);
            Assert.Equal(heads, model.Heads);
            var right = 0;
            var p = new float[2];
            for (var c = 0; c < tokens.Length; c++)
            {
                model.Predict(tokens[c], sentences[c], p);
                right += (p[0] >= 0.5f) == (targets[c * 2] > 0.5f) ? 1 : 0;
            }
            return right / (double)tokens.Length;
        }

        var one = Accuracy(1);
        var two = Accuracy(2);
        Assert.True(two >= 0.95, $"two heads: {two:P0} of 'both words' decisions right");
        Assert.True(one <= 0.85, $"one head: {one:P0} of 'both words' decisions right");
    }

    [Fact]
    public void A_second_head_is_trained_only_while_the_comments_fit_the_attention_budget()
    {
        var options = new TrainingOptions();
        Assert.Equal(2, options.TokenAttentionHeads);
        // 6,500 comments of 15 word pieces and 40 themes: two heads. Three times as long: one.
        Assert.Equal(2, InsightsTrainer.AttentionHeads(6_500 * 15, 40, options));
        Assert.Equal(1, InsightsTrainer.AttentionHeads(6_500 * 46, 44, options));
        Assert.Equal(1, InsightsTrainer.AttentionHeads(6_500 * 15, 40, options with { TokenAttentionHeads = 1 }));
        Assert.Equal(1, InsightsTrainer.AttentionHeads(0, 0, options with { TokenAttentionBudget = 0 }));
        Assert.Equal(4, InsightsTrainer.AttentionHeads(10, 2, options with { TokenAttentionHeads = 4 }));
    }
}
