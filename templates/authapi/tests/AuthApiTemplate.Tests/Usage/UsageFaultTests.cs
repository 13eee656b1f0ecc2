using System.Text.Json;
using AuthApiTemplate.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AuthApiTemplate.Tests.Usage;

/// <summary>The usage store down or hanging: requests are neither failed nor held up, the tracker degrades.</summary>
public sealed class UsageFaultTests
{
    [Fact]
    public async Task A_failing_store_fails_no_request_and_shows_as_degraded_readiness()
    {
        // Flushed by hand only: the writer's one-second timer would take rows out of the queue at moments
        // the test cannot choose, and so change how many are dropped.
        using var factory = new BrokenStoreFactory(new BrokenStore(hang: false), flushedByHandOnly: true);
        factory.Settings["Usage:QueueCapacity"] = "5";
        factory.Settings["Usage:SamplingRate"] = "1";
        var client = factory.CreateClient().Admin();
        client.Timeout = TimeSpan.FromSeconds(30);

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items")).StatusCode);
        }

        await factory.FlushAsync();

        // The queue held its bound and counted the rest; the minute counts stay exact in memory.
        Assert.Equal(35, factory.Tracker.DroppedRawRows);
        Assert.True(factory.Tracker.StoreFailures > 0);
        var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.Equal(40, stats.GetProperty("totalRequests").GetInt64());

        var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var usage = report.RootElement.GetProperty("checks").GetProperty("usage");
        Assert.Equal("Degraded", usage.GetProperty("status").GetString());
        Assert.Contains("35 measurements dropped", usage.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hanging_store_holds_up_no_request()
    {
        var store = new BrokenStore(hang: true);
        using var factory = new BrokenStoreFactory(store);
        factory.Settings["Usage:QueueCapacity"] = "10";
        factory.Settings["Usage:SamplingRate"] = "1";
        var client = factory.CreateClient().Admin();
        // A request that waited for the store would never finish: the client gives up long before the test does.
        client.Timeout = TimeSpan.FromSeconds(20);

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/items")).StatusCode);
        }

        using var flushing = new CancellationTokenSource();
        var flush = factory.Services.GetRequiredService<UsageWriter>().FlushAsync(final: true, flushing.Token);
        await store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => client.GetAsync("/items")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(factory.Tracker.DroppedRawRows >= 50, $"dropped {factory.Tracker.DroppedRawRows}");

        await flushing.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
    }

    private sealed class BrokenStoreFactory(BrokenStore store, bool flushedByHandOnly = false) : UsageApiFactory
    {
        protected override void ConfigureTestServices(IServiceCollection services)
        {
            services.Replace(ServiceDescriptor.Singleton<IUsageStore>(store));
            if (flushedByHandOnly)
            {
                services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory?.Method.ReturnType == typeof(UsageWriter)));
            }
        }
    }

    private sealed class BrokenStore(bool hang) : IUsageStore
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WriteWindowsAsync(IReadOnlyList<UsageWindow> windows, CancellationToken cancellationToken) => FailAsync(cancellationToken);

        public Task WriteRequestsAsync(IReadOnlyList<UsageSample> samples, CancellationToken cancellationToken) => FailAsync(cancellationToken);

        private async Task FailAsync(CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            throw new TimeoutException("The usage store is down (test).");
        }
    }
}
