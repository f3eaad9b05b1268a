using System.Numerics.Tensors;
using Drawbridge.Insights;

namespace Drawbridge.Insights.Tests;

public sealed class EmbedderTests
{
    private static readonly string[] Comments = ["staff were lovely", "waited four hours in A&E with no update"];

    [Fact]
    public void The_default_embedding_joins_the_last_layer_and_the_second_each_part_of_equal_weight()
    {
        using var joined = new MiniLmEmbedder();
        using var last = new MiniLmEmbedder(layers: [6]);
        Assert.Equal("all-MiniLM-L6-v2 int8 layers 6+2", joined.ModelName);
        Assert.Equal("all-MiniLM-L6-v2 int8", last.ModelName);
        Assert.Equal(768, joined.Dimension);
        Assert.Equal(384, last.Dimension);
        Assert.Equal(384, joined.SimilarityDimension);
        Assert.Equal(384, last.SimilarityDimension);

        var both = joined.Embed(Comments);
        var alone = last.Embed(Comments);
        for (var c = 0; c < Comments.Length; c++)
        {
            var sixth = both[c].AsSpan(0, 384);
            var second = both[c].AsSpan(384, 384);
            Assert.InRange(TensorPrimitives.Norm(both[c]), 0.999f, 1.001f);
            Assert.InRange(TensorPrimitives.Norm(sixth), 0.706f, 0.708f);
            Assert.InRange(TensorPrimitives.Norm(second), 0.706f, 0.708f);
            // The first part is the model's own sentence embedding, scaled by 1/√2.
            Assert.InRange(TensorPrimitives.CosineSimilarity(sixth, alone[c]), 0.9999f, 1.0001f);
            // The second layer says something else about the comment.
            Assert.InRange(TensorPrimitives.CosineSimilarity(sixth, second), -0.9f, 0.9f);
        }
    }

    [Fact]
    public void The_8_bit_model_gives_nearly_the_32_bit_embedding_and_a_comment_the_same_vector_whatever_shares_its_run()
    {
        using var int8 = new MiniLmEmbedder(layers: [6]);
        using var fp32 = new MiniLmEmbedder(layers: [6], quantized: false);
        Assert.True(int8.Quantized);
        Assert.False(fp32.Quantized);
        Assert.Equal("all-MiniLM-L6-v2", fp32.ModelName);
        string[] comments = [.. Comments, "The nurse explained my medication clearly", "Parking is terrible and far too expensive for visitors"];
        var quantized = int8.Embed(comments);
        var full = fp32.Embed(comments);
        for (var c = 0; c < comments.Length; c++)
        {
            Assert.InRange(TensorPrimitives.CosineSimilarity(quantized[c], full[c]), 0.97f, 1.0001f);
        }
        // Not a copy of the 32-bit model under another name.
        Assert.Contains(quantized.Zip(full), p => TensorPrimitives.CosineSimilarity(p.First, p.Second) < 0.9999f);
        // The inputs' 8-bit range is taken over a whole run, so each comment runs alone: alone or among others, the same vector.
        var alone = int8.Embed([comments[1]])[0];
        Assert.Equal(alone, quantized[1]);
        Assert.Equal(int8.Embed([comments[3], comments[1], comments[0]])[1], alone);
    }

    [Fact]
    public void The_8_bit_graph_adds_each_weight_matrix_bias_inside_its_product()
    {
        var graph = MiniLmEmbedder.QuantizedGraph;
        var initializers = graph.Initializer.ToDictionary(i => i.Name);
        var products = graph.Node.Where(n => n.OpType == "DynamicQuantizeMatMul").ToList();
        // Six layers of four attention and two feed-forward matrices (the pooler's dense layer is a Gemm, left 32-bit).
        Assert.Equal(36, products.Count);
        foreach (var product in products)
        {
            Assert.Equal(5, product.Input.Count);
            Assert.Equal(initializers[product.Input[1]].Dims[1], Assert.Single(initializers[product.Input[4]].Dims));
        }
        // No separate Add puts a weight matrix's bias on afterwards (the layer norms' biases stay where they are).
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Add"
            && n.Input.Any(i => initializers.ContainsKey(i) && i.EndsWith(".bias", StringComparison.Ordinal) && !i.Contains("LayerNorm", StringComparison.Ordinal)));
    }

    [Fact]
    public void Line_breaks_tabs_and_no_break_spaces_separate_words_as_a_space_does()
    {
        using var embedder = new MiniLmEmbedder();
        const string spaced = "They were very helpful. Listened to me and was really encouraging.";
        string[] variants = ["\n", "\r\n", "\r", "\t", "\u00a0", "\u2028", " \u200b"];
        var texts = variants.Select(v => spaced.Replace(" Listened", v + "Listened")).Prepend(spaced).ToArray();
        var (vectors, pieces) = embedder.EmbedWithTokens(texts);
        for (var i = 1; i < texts.Length; i++)
        {
            Assert.Equal(vectors[0], vectors[i]);
            Assert.Equal(pieces[0], pieces[i]);
        }
        Assert.Equal("a b c", MiniLmEmbedder.ForTokenizer("a\nb\tc"));
        Assert.Equal("helpful", MiniLmEmbedder.ForTokenizer("help\u00adful\ufeff"));
    }

    [Fact]
    public void Curly_quotes_accents_and_other_punctuation_read_as_their_plain_forms()
    {
        using var embedder = new MiniLmEmbedder();
        (string Typed, string Plain)[] pairs =
        [
            ("The nurse didn’t listen", "The nurse didn't listen"),
            ("“Brilliant” staff – thank you…", "\"Brilliant\" staff - thank you..."),
            ("Lovely café, naïve question", "Lovely cafe, naive question"),
        ];
        var vectors = embedder.Embed(pairs.SelectMany(p => new[] { p.Typed, p.Plain }).ToArray());
        for (var i = 0; i < pairs.Length; i++)
        {
            Assert.Equal(vectors[2 * i + 1], vectors[2 * i]);
        }
        // Punctuation outside ASCII that has no plain form stands apart, as BERT's tokenizer sets it.
        Assert.Equal("staff \u00bf ok", MiniLmEmbedder.ForTokenizer("staff\u00bfok"));
        Assert.Same("plain ASCII stays as it is", MiniLmEmbedder.ForTokenizer("plain ASCII stays as it is"));
        // Half an emoji (a comment cut short) is kept, not an error.
        Assert.Equal("ok \ud83d", MiniLmEmbedder.ForTokenizer("ok\t\ud83d"));
        Assert.Equal(384 * 2, embedder.Embed(["great care \ud83d"])[0].Length);
    }

    [Fact]
    public void Word_pieces_join_the_same_layers_as_the_sentence()
    {
        using var joined = new MiniLmEmbedder();
        using var last = new MiniLmEmbedder(layers: [6]);
        var (_, tokens) = joined.EmbedWithTokens(Comments);
        var (_, lastTokens) = last.EmbedWithTokens(Comments);
        Assert.Equal(3 * 768, tokens[0].Length);
        for (var i = 0; i < 3; i++)
        {
            var piece = tokens[0].AsSpan(i * 768, 384);
            Assert.InRange(TensorPrimitives.CosineSimilarity(piece, lastTokens[0].AsSpan(i * 384, 384)), 0.9999f, 1.0001f);
        }
    }

    [Fact]
    public void A_model_names_the_embedder_it_needs_and_unknown_names_are_refused()
    {
        foreach (var (name, layers, quantized) in new[]
        {
            ("all-MiniLM-L6-v2 int8 layers 6+2", new[] { 6, 2 }, true),
            ("all-MiniLM-L6-v2 int8", [6], true),
            ("all-MiniLM-L6-v2 layers 6+2", [6, 2], false),
            ("all-MiniLM-L6-v2", [6], false),
        })
        {
            using var embedder = MiniLmEmbedder.For(name);
            Assert.Equal(layers, embedder.Layers);
            Assert.Equal(quantized, embedder.Quantized);
            Assert.Equal(name, embedder.ModelName);
            Assert.Equal(384 * layers.Length, embedder.Dimension);
        }
        foreach (var name in new[] { "all-mpnet-base-v2", "all-MiniLM-L6-v2 layers 6+9", "all-MiniLM-L6-v2 layers 6+6", "all-MiniLM-L6-v2 layers ",
            "all-MiniLM-L6-v2 int4", "all-MiniLM-L6-v2int8", "all-MiniLM-L6-v2 int8 int8" })
        {
            var error = Assert.Throws<InsightsException>(() => MiniLmEmbedder.For(name));
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentException>(() => new MiniLmEmbedder(layers: [7]));
        Assert.Throws<ArgumentException>(() => new MiniLmEmbedder(layers: []));
    }

    [Fact]
    public async Task A_model_trained_on_the_last_layer_alone_still_classifies_through_the_cli()
    {
        // Models trained before the default joined two layers and ran 8-bit name "all-MiniLM-L6-v2"; classify builds that embedder.
        var (framework, csv) = TestData.MultiLabelCsv(260, seed: 5);
        var rows = FeedbackCsv.Read(new StringReader(csv), framework, labelled: true).Rows;
        using var last = new MiniLmEmbedder(layers: [6], quantized: false);
        var model = InsightsTrainer.Train(framework, rows.Take(200).ToList(), last, new TrainingOptions { TokenAttention = false, ValidationFolds = 2 });
        Assert.Equal("all-MiniLM-L6-v2", model.EmbeddingModel);
        var modelPath = TestData.TempFile("single-layer.model");
        model.Save(modelPath);
        var inputPath = Path.Combine(Path.GetDirectoryName(modelPath)!, "in.csv");
        File.WriteAllText(inputPath, "\"Comment ID\",\"FFT answer\"\n" + string.Join('\n', rows.Skip(200).Select(r => $"{r.Id},{TestData.Quote(r.Text)}")) + "\n");
        var predictionsPath = Path.Combine(Path.GetDirectoryName(modelPath)!, "predictions.csv");

        var output = new StringWriter();
        var error = new StringWriter();
        var code = await InsightsCli.RunAsync(["classify", "--model", modelPath, "--data", inputPath, "--out", predictionsPath], TextReader.Null, output, error);

        Assert.True(code == 0, error.ToString());
        var written = File.ReadAllLines(predictionsPath);
        Assert.Equal(rows.Count - 200 + 1, written.Length);
        // The same comments classified in-process with the model's own embedder give the same themes.
        var expected = new FeedbackClassifier(model, last).ClassifyMany(rows.Skip(200).Select(r => r.Text).ToArray());
        Assert.Equal(expected.Select(c => string.Join('|', c.Themes.Select(t => t.Id))), written.Skip(1).Select(l => l.Split(',')[1]));
    }

    [Fact]
    public async Task Cli_training_uses_8_bit_weights_unless_asked_for_full_precision()
    {
        var (framework, csv) = TestData.MultiLabelCsv(160, seed: 8);
        var frameworkPath = TestData.TempFile("precision-framework.json");
        File.WriteAllText(frameworkPath, framework.ToJson());
        var dataPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, "train.csv");
        File.WriteAllText(dataPath, csv);
        foreach (var (flags, expected) in new[] { (Array.Empty<string>(), "all-MiniLM-L6-v2 int8 layers 6+2"), (["--full-precision"], "all-MiniLM-L6-v2 layers 6+2") })
        {
            var modelPath = Path.Combine(Path.GetDirectoryName(frameworkPath)!, $"model{flags.Length}.bin");
            var output = new StringWriter();
            var error = new StringWriter();
            var code = await InsightsCli.RunAsync(["train", "--framework", frameworkPath, "--data", dataPath, "--model", modelPath, .. flags], TextReader.Null, output, error);
            Assert.True(code == 0, error.ToString());
            Assert.Contains($"embeddings: {expected}", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(expected, InsightsModel.Load(modelPath).EmbeddingModel);
        }
    }
}
