namespace Drawbridge.Cli;

/// <summary>The <c>insights</c> CLI verbs. Built out with the insights library.</summary>
internal static class InsightsCommand
{
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        _ = args; _ = input; _ = output;
        error.WriteLine("insights: no verbs yet");
        return Task.FromResult(2);
    }
}
