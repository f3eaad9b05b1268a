using Drawbridge;
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

var demo = args.Contains("--demo");
var app = DrawbridgeHost.Build(args.Where(a => a != "--demo").ToArray());
await DrawbridgeHost.PrepareAsync(app, demo);
await app.RunAsync();
return 0;

public partial class Program;
