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

// --demo seeds the demo community (once); it is the setting Drawbridge:Demo=true.
var hostArgs = args.Select(a => a == "--demo" ? "--Drawbridge:Demo=true" : a).ToArray();
await DrawbridgeHost.Build(hostArgs).RunAsync();
return 0;

public partial class Program;
