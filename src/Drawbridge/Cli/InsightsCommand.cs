using Drawbridge.Insights;

namespace Drawbridge.Cli;

/// <summary>The <c>insights</c> CLI verbs (train, classify, evaluate, topics); the work lives in the insights library.</summary>
internal static class InsightsCommand
{
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error) =>
        InsightsCli.RunAsync(args, input, output, error);
}
