using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Micro;

/// <summary>Not top-level statements: the app under test already owns the name <c>Program</c>.</summary>
public static class BenchmarkEntry
{
    public static void Main(string[] args)
    {
        // In-process and short: the numbers that matter here are bytes allocated per operation, which the
        // memory diagnoser counts exactly; the timings are indicative (the wrk run measures throughput).
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("BENCH_MICRO_ITERATIONS"), out var n) ? n : 7;
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(iterations);
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Environment.GetEnvironmentVariable("BENCH_MICRO_ARTIFACTS") ?? "BenchmarkDotNet.Artifacts");
        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkEntry).Assembly).Run(args, config);
    }
}
