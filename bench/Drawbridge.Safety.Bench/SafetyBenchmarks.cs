using BenchmarkDotNet.Attributes;

namespace Drawbridge.Safety.Bench;

/// <summary>
/// Throughput of the safety check over realistic posts. Batch throughput (MB/s per core) is
/// <c>BatchOfPosts</c>: bytes are UTF-16 code units x 2 / mean time, on one thread.
/// </summary>
[MemoryDiagnoser]
public class SafetyBenchmarks
{
    private string[] _posts = [];
    private string[] _feedback = [];
    private string _post1000 = "";
    private string _oneMegabyte = "";

    [GlobalSetup]
    public void Setup()
    {
        _posts = Texts.Posts;
        _feedback = Texts.Feedback;
        _post1000 = Texts.Post1000;
        _oneMegabyte = Texts.OneMegabyte;
    }

    /// <summary>Every corpus post once, one after another (batch, one core).</summary>
    [Benchmark]
    public int BatchOfPosts()
    {
        var n = 0;
        foreach (var p in _posts)
        {
            n += SafetyChecker.Check(p).Count;
        }
        return n;
    }

    /// <summary>10,334 real patient-feedback comments, one after another (batch of typical text, one core).</summary>
    [Benchmark]
    public int BatchOfFeedback()
    {
        var n = 0;
        foreach (var p in _feedback)
        {
            n += SafetyChecker.Check(p).Count;
        }
        return n;
    }

    /// <summary>A single 1,000-character post, as the composer checks while the author types.</summary>
    [Benchmark]
    public int Post1000Chars() => SafetyChecker.Check(_post1000).Count;

    /// <summary>One 1 MB input in a single call.</summary>
    [Benchmark]
    public int OneMegabyte() => SafetyChecker.Check(_oneMegabyte).Count;

}
