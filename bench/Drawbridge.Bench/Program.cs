using Drawbridge.Bench;

// The web benchmark's tools; bench/run drives them. Exit codes: 0 done, 1 failed, 2 bad usage.
const string Usage = """
    usage:
      Drawbridge.Bench generate --data DIR [--accounts N] [--posts N] [--hub-followers N] [--feed-depth N] [--seed N]
      Drawbridge.Bench fanout --url URL --data DIR [--posts N] [--timeout-seconds N]
      Drawbridge.Bench fuzz --url URL --failures FILE [--requests N] [--seed N] [--concurrency N]
    """;

try
{
    return args.FirstOrDefault() switch
    {
        "generate" => await DatasetGenerator.RunAsync(Options.Parse(args[1..]), Console.Out),
        "fanout" => await FanOutProbe.RunAsync(Options.Parse(args[1..]), Console.Out),
        "fuzz" => await ApiFuzzer.RunAsync(Options.Parse(args[1..]), Console.Out),
        _ => Fail($"Name a verb: generate, fanout or fuzz.\n{Usage}"),
    };
}
catch (UsageException e)
{
    return Fail($"{e.Message}\n{Usage}");
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
