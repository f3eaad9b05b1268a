using Drawbridge;
using Drawbridge.Cli;

// CLI verbs run in the same host; anything else serves.
if (args.Length > 0 && args[0] == "safety")
{
    return await SafetyCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
}
if (args.Length > 0 && args[0] == "accounts")
{
    return await AccountsCommand.RunAsync(args[1..], Console.Out, Console.Error);
}
if (args.Length > 0 && args[0] == "insights")
{
    return await InsightsCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
}
if (args.Length > 0 && args[0] == "backup")
{
    return await BackupCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

// --demo seeds the demo community (once); it is the setting Drawbridge:Demo=true.
var hostArgs = args.Select(a => a == "--demo" ? "--Drawbridge:Demo=true" : a).ToArray();
var host = DrawbridgeHost.Build(hostArgs);
var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
try
{
    await host.RunAsync();
}
catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
{
    // Stopped (Ctrl+C) before it had finished starting, e.g. while the demo was still being seeded, which is one
    // transaction: nothing is left half-done, and the next start carries on from where the database is.
    Console.Error.WriteLine("Drawbridge was stopped before it had finished starting.");
    return 1;
}
return 0;

public partial class Program;
