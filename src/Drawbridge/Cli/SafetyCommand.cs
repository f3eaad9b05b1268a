namespace Drawbridge.Cli;

/// <summary>The <c>safety</c> CLI verbs. Built out with the safety library.</summary>
internal static class SafetyCommand
{
    public static Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        _ = args; _ = input; _ = output;
        error.WriteLine("safety: no verbs yet");
        return Task.FromResult(2);
    }
}
