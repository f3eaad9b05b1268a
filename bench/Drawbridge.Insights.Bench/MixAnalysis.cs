using Drawbridge.Insights;

/// <summary>
/// One cross-validation fold, as the mix analysis needs it: the model's validation (out-of-fold) scores of each part on
/// its training comments, and each part's scores on the fold's test comments with their true themes.
/// </summary>
internal sealed record FoldParts(int[] Learned, OutOfFoldScores Validation, ThemeParts[] Test, IReadOnlyList<int>[] TestThemes);

/// <summary>
/// <c>--mix-analysis</c>: with the parts' scores kept, other ways to mix them and to set thresholds are scored on the
/// same folds in seconds, each chosen on the validation scores as the engine would and judged on the test comments. The
/// first line recomputes the engine's own rule and must equal the cross-validation figure above it.
/// </summary>
internal static class MixAnalysis
{
    private static float Prior;
    private static int Smoothing;

    public static void Run(IReadOnlyList<FoldParts> folds, int themeCount, TrainingOptions options)
    {
        (Prior, Smoothing) = (options.ThresholdPrior, options.ThresholdSmoothing);
        var mixes = folds.ToDictionary(f => f, Tune);
        Console.WriteLine();
        Console.WriteLine("== mix analysis: each rule chosen on the validation scores, judged on the test comments (macro-F1 over themes with >= 50 examples / micro-F1 / macro over learned themes / themes per comment)");
        Report("the engine's rule (recomputed)", folds, themeCount, f => Decode(f, mixes[f].Weights, mixes[f].Rule, 0));
        Report("linear model alone", folds, themeCount, f => Alone(f, p => p.Linear, f.Validation.Linear));
        Report("neighbour shares alone", folds, themeCount, f => f.Validation.Shares is null ? null : Alone(f, p => p.Shares!, f.Validation.Shares));
        Report("softmax head alone", folds, themeCount, f => f.Validation.Soft is null ? null : Alone(f, p => p.Soft!, f.Validation.Soft));
        Report("attention head alone", folds, themeCount, f => f.Validation.Attention is null ? null : Alone(f, p => p.Attention!, f.Validation.Attention));
        Report("thresholds set on the test comments themselves (bound)", folds, themeCount, f => Decode(f, mixes[f].Weights, TestThresholds(f, mixes[f].Weights), 0));
        foreach (var prior in new[] { 3f, 30f })
        {
            Report($"threshold prior {prior} (engine {Prior})", folds, themeCount, f => Decode(f, mixes[f].Weights, Thresholds(mixes[f].Mixed, f, prior), 0));
        }
        foreach (var factor in new[] { 0.9f, 1.1f })
        {
            Report($"thresholds x {factor}", folds, themeCount, f => Decode(f, mixes[f].Weights,
                (mixes[f].Rule.Thresholds.Select(t => t * factor).ToArray(), mixes[f].Rule.AtLeastOne), 0));
        }
        foreach (var smoothing in new[] { 0, 4, 8, 12 }.Where(w => w != Smoothing))
        {
            Report($"F1 curves smoothed over +-{smoothing / 100.0:F2} (engine +-{Smoothing / 100.0:F2})", folds, themeCount, f => Decode(f, mixes[f].Weights,
                Thresholds(mixes[f].Mixed, f, Prior, smoothing), 0));
        }
        Report("a theme only within gamma of the best one's score/threshold (gamma on validation)", folds, themeCount, f =>
        {
            var rule = mixes[f].Rule;
            var gamma = TuneGamma(mixes[f].Mixed, f.Validation, rule.Thresholds, rule.AtLeastOne);
            return Decode(f, mixes[f].Weights, rule, gamma);
        });
        Report("parts rescaled per theme to the linear model's best threshold, then mixed", folds, themeCount, Rescaled);
        foreach (var least in new[] { 15, 30, 60 })
        {
            Report($"mix chosen on the themes with >= {least} validation positives only", folds, themeCount, f =>
            {
                var v = f.Validation;
                var counted = Enumerable.Range(0, v.Width).Select(k => Enumerable.Range(0, v.Rows).Count(i => v.Targets[i * v.Width + k] > 0.5f) >= least).ToArray();
                var (a, c, e, mixed) = InsightsTrainer.TuneMix(v.Linear, v.Shares is null ? null : Rows(v.Shares, v.Rows, v.Width), v.Soft, v.Attention,
                    v.Targets, v.Rows, v.Width, counted: counted);
                Console.WriteLine($"  fold mix {a:F1} {c:F1} {e:F1} (engine {mixes[f].Weights})");
                return Decode(f, (a, c, e), Thresholds(mixed, f, Prior), 0);
            });
        }
    }

    /// <summary>A fold's mix weights and mixed validation scores, as the engine chose them, and the engine's thresholds on them.</summary>
    private sealed record Mix((float Shares, float Soft, float Attention) Weights, float[] Mixed, (float[] Thresholds, bool AtLeastOne) Rule);

    private static Mix Tune(FoldParts f)
    {
        var v = f.Validation;
        var (a, c, e, mixed) = InsightsTrainer.TuneMix(v.Linear, v.Shares is null ? null : Rows(v.Shares, v.Rows, v.Width), v.Soft, v.Attention, v.Targets, v.Rows, v.Width);
        return new Mix((a, c, e), mixed, Thresholds(mixed, f, Prior));
    }

    private static float[][] Rows(float[] values, int n, int width) =>
        Enumerable.Range(0, n).Select(i => values.AsSpan(i * width, width).ToArray()).ToArray();

    private static (float[] Thresholds, bool AtLeastOne) Thresholds(float[] scores, FoldParts f, float prior, int? smoothing = null) =>
        InsightsTrainer.TuneThresholds(scores, f.Validation.Targets, f.Validation.Rows, f.Validation.Width, prior, smoothing ?? Smoothing);

    private static float[] MixTest(ThemeParts p, (float Shares, float Soft, float Attention) w, float[]?[]? scales = null)
    {
        float[]? Scaled(float[]? part, float[]? scale) => part is null || scale is null ? part : part.Select((v, k) => v * scale[k]).ToArray();
        var mixed = p.Linear.ToArray();
        InsightsModel.Mix(mixed, Scaled(p.Shares, scales?[0]), w.Shares, Scaled(p.Soft, scales?[1]), w.Soft, Scaled(p.Attention, scales?[2]), w.Attention);
        return mixed;
    }

    private static List<int>[] Decode(FoldParts f, (float, float, float) weights, (float[] Thresholds, bool AtLeastOne) rule, float gamma) =>
        Decode(f, p => MixTest(p, weights), rule, gamma);

    /// <summary>Each test comment's themes (framework indices) from its scores under a rule.</summary>
    private static List<int>[] Decode(FoldParts f, Func<ThemeParts, float[]> scores, (float[] Thresholds, bool AtLeastOne) rule, float gamma = 0) =>
        f.Test.Select(p => Choose(scores(p), rule.Thresholds, rule.AtLeastOne, gamma).Select(k => f.Learned[k]).ToList()).ToArray();

    /// <summary>The engine's choice, then (gamma above 0) only themes whose score/threshold is within gamma of the best one's.</summary>
    private static List<int> Choose(float[] p, float[] thresholds, bool atLeastOne, float gamma)
    {
        var chosen = FeedbackClassifier.ChooseThemes(p, thresholds, singleLabel: false, atLeastOne);
        if (chosen.Count <= 1 || gamma <= 0)
        {
            return chosen;
        }
        var best = chosen.Max(k => p[k] / thresholds[k]);
        return chosen.Where(k => p[k] / thresholds[k] >= gamma * best).ToList();
    }

    private static List<int>[] Alone(FoldParts f, Func<ThemeParts, float[]> part, float[] validation) =>
        Decode(f, part, Thresholds(validation, f, Prior));

    private static (float[], bool) TestThresholds(FoldParts f, (float, float, float) weights)
    {
        var width = f.Learned.Length;
        var position = f.Learned.Select((t, k) => (t, k)).ToDictionary(x => x.t, x => x.k);
        var scores = new float[f.Test.Length * width];
        var targets = new float[f.Test.Length * width];
        for (var i = 0; i < f.Test.Length; i++)
        {
            MixTest(f.Test[i], weights).CopyTo(scores, i * width);
            foreach (var t in f.TestThemes[i])
            {
                if (position.TryGetValue(t, out var k))
                {
                    targets[i * width + k] = 1;
                }
            }
        }
        return InsightsTrainer.TuneThresholds(scores, targets, f.Test.Length, width, 0);
    }

    private static float TuneGamma(float[] scores, OutOfFoldScores v, float[] thresholds, bool atLeastOne)
    {
        var best = 0f;
        var bestMacro = Macro(scores, v, thresholds, atLeastOne, 0);
        for (var g = 1; g <= 10; g++)
        {
            var macro = Macro(scores, v, thresholds, atLeastOne, g / 10f);
            if (macro > bestMacro + 1e-9)
            {
                (best, bestMacro) = (g / 10f, macro);
            }
        }
        return best;
    }

    private static double Macro(float[] scores, OutOfFoldScores v, float[] thresholds, bool atLeastOne, float gamma)
    {
        var tp = new long[v.Width];
        var fp = new long[v.Width];
        var fn = new long[v.Width];
        for (var i = 0; i < v.Rows; i++)
        {
            var chosen = Choose(scores.AsSpan(i * v.Width, v.Width).ToArray(), thresholds, atLeastOne, gamma);
            for (var k = 0; k < v.Width; k++)
            {
                var actual = v.Targets[i * v.Width + k] > 0.5f;
                var predicted = chosen.Contains(k);
                tp[k] += predicted && actual ? 1 : 0;
                fp[k] += predicted && !actual ? 1 : 0;
                fn[k] += !predicted && actual ? 1 : 0;
            }
        }
        return Enumerable.Range(0, v.Width).Average(k => tp[k] == 0 ? 0 : 2.0 * tp[k] / (2.0 * tp[k] + fp[k] + fn[k]));
    }

    /// <summary>Each part scaled per theme so that its own best validation threshold lands on the linear model's, then the engine's mix search.</summary>
    private static List<int>[] Rescaled(FoldParts f)
    {
        var v = f.Validation;
        var linear = InsightsTrainer.TuneThresholds(v.Linear, v.Targets, v.Rows, v.Width, 0).Thresholds;
        float[]? Scale(float[]? part)
        {
            if (part is null)
            {
                return null;
            }
            var own = InsightsTrainer.TuneThresholds(part, v.Targets, v.Rows, v.Width, 0).Thresholds;
            return linear.Select((t, k) => t / Math.Max(0.01f, own[k])).ToArray();
        }
        float[]? Apply(float[]? part, float[]? scale) => part is null ? null : part.Select((x, j) => x * scale![j % v.Width]).ToArray();
        float[]?[] scales = [Scale(v.Shares), Scale(v.Soft), Scale(v.Attention)];
        var shares = Apply(v.Shares, scales[0]);
        var (a, c, e, mixed) = InsightsTrainer.TuneMix(v.Linear, shares is null ? null : Rows(shares, v.Rows, v.Width), Apply(v.Soft, scales[1]), Apply(v.Attention, scales[2]), v.Targets, v.Rows, v.Width);
        return Decode(f, p => MixTest(p, (a, c, e), scales), Thresholds(mixed, f, Prior));
    }

    private static void Report(string name, IReadOnlyList<FoldParts> folds, int themeCount, Func<FoldParts, List<int>[]?> rule)
    {
        var tp = new long[themeCount];
        var fp = new long[themeCount];
        var fn = new long[themeCount];
        var support = new long[themeCount];
        var learned = new bool[themeCount];
        long chosenCount = 0;
        long rows = 0;
        foreach (var f in folds)
        {
            var chosen = rule(f);
            if (chosen is null)
            {
                Console.WriteLine($"{name,-90} (part off)");
                return;
            }
            foreach (var t in f.Learned)
            {
                learned[t] = true;
            }
            for (var i = 0; i < chosen.Length; i++)
            {
                rows++;
                chosenCount += chosen[i].Count;
                var truth = f.TestThemes[i];
                foreach (var t in truth)
                {
                    support[t]++;
                    fn[t] += chosen[i].Contains(t) ? 0 : 1;
                }
                foreach (var t in chosen[i])
                {
                    (truth.Contains(t) ? tp : fp)[t]++;
                }
            }
        }
        double F1(int t) => tp[t] == 0 ? 0 : 2.0 * tp[t] / (2.0 * tp[t] + fp[t] + fn[t]);
        var themes = Enumerable.Range(0, themeCount).ToArray();
        var macro50 = themes.Where(t => support[t] >= 50).Select(F1).DefaultIfEmpty(0).Average();
        var macroLearned = themes.Where(t => learned[t] && support[t] > 0).Select(F1).DefaultIfEmpty(0).Average();
        var micro = tp.Sum() == 0 ? 0 : 2.0 * tp.Sum() / (2.0 * tp.Sum() + fp.Sum() + fn.Sum());
        Console.WriteLine($"{name,-90} {macro50:F3} / {micro:F3} / {macroLearned:F3} / {chosenCount / (double)rows:F2}");
    }
}
