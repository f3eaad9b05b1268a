using Drawbridge.Cli;

// CLI verbs run in the same host; anything else serves.
if (args.Length > 0 && args[0] == "safety")
{
    return await SafetyCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
}
if (args.Length > 0 && args[0] == "insights")
{
    return await InsightsCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
}

var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/health", () => "ok");
await app.RunAsync();
return 0;

public partial class Program;
