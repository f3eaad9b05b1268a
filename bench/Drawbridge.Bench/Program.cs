using Drawbridge.Bench;

// The web benchmark's tools; bench/run drives them. Exit codes: 0 done, 1 failed, 2 bad usage.
const string Usage = """
    usage:
      Drawbridge.Bench generate --data DIR [--accounts N] [--posts N] [--hub-followers N] [--feed-depth N] [--seed N]
      Drawbridge.Bench fanout --url URL --data DIR [--posts N] [--timeout-seconds N]
      Drawbridge.Bench fuzz --url URL --failures FILE [--requests N] [--seed N] [--concurrency N]
      Drawbridge.Bench inbox-setup --url URL
      Drawbridge.Bench inbox-classify --url URL --org HANDLE --db FILE --framework FILE --data FILE [--rate N] [--seconds N] [--burst N] [--warmup SECONDS]
      Drawbridge.Bench inbox-train --url URL --org HANDLE --token TOKEN --framework FILE --data FILE
      Drawbridge.Bench inbox-model --url URL --org HANDLE --token TOKEN --model ID
    """;

try
{
    return args.FirstOrDefault() switch
    {
        "generate" => await DatasetGenerator.RunAsync(Options.Parse(args[1..]), Console.Out),
        "fanout" => await FanOutProbe.RunAsync(Options.Parse(args[1..]), Console.Out),
        "fuzz" => await ApiFuzzer.RunAsync(Options.Parse(args[1..]), Console.Out),
        "inbox-setup" => await InboxProbe.SetupAsync(Options.Parse(args[1..]), Console.Out),
        "inbox-classify" => await InboxProbe.ClassifyAsync(Options.Parse(args[1..]), Console.Out),
        "inbox-train" => await InboxProbe.TrainAsync(Options.Parse(args[1..]), Console.Out),
        "inbox-model" => await InboxProbe.ModelAsync(Options.Parse(args[1..]), Console.Out),
        _ => Fail($"Name a verb: generate, fanout, fuzz or inbox-setup/-classify/-train/-model.\n{Usage}"),
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
