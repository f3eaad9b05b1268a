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
        Assert.Equal("all-MiniLM-L6-v2 layers 6+2", joined.ModelName);
        Assert.Equal("all-MiniLM-L6-v2", last.ModelName);
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
        using (var joined = MiniLmEmbedder.For("all-MiniLM-L6-v2 layers 6+2"))
        {
            Assert.Equal([6, 2], joined.Layers);
        }
        using (var last = MiniLmEmbedder.For("all-MiniLM-L6-v2"))
        {
            Assert.Equal([6], last.Layers);
            Assert.Equal(384, last.Dimension);
        }
        foreach (var name in new[] { "all-mpnet-base-v2", "all-MiniLM-L6-v2 layers 6+9", "all-MiniLM-L6-v2 layers 6+6", "all-MiniLM-L6-v2 layers " })
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
        // Models trained before the default joined two layers name "all-MiniLM-L6-v2"; classify builds that embedder.
        var (framework, csv) = TestData.MultiLabelCsv(260, seed: 5);
        var rows = FeedbackCsv.Read(new StringReader(csv), framework, labelled: true).Rows;
        using var last = new MiniLmEmbedder(layers: [6]);
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
}
