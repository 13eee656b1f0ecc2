using System.Text.Json;
#if (apikeys)
using AuthApiTemplate.Auth.ApiKeys;
#endif
#if (signsInUsers)
using AuthApiTemplate.Users;
#endif
using AuthApiTemplate.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Usage;

/// <summary>The optional fields the dashboard reads: consumers' names and the status-class breakdown.</summary>
public sealed class UsageDashboardDataTests
{
#if (signsInUsers)
    [Fact]
    public async Task A_user_consumer_is_named_by_their_email()
    {
        using var factory = new UsageApiFactory();
        User user;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            user = await scope.ServiceProvider.GetRequiredService<UserStore>().CreateAsync("ana@example.com", [], null, null, CancellationToken.None);
        }

        await factory.CreateClient().As(user.Id.ToString()).GetAsync("/items");
        await factory.CreateClient().As(Guid.NewGuid().ToString()).GetAsync("/items");

        var consumers = await ConsumersAsync(factory);
        Assert.Equal("ana@example.com", consumers[user.Id.ToString()].Name);
        // A user the app does not know (deleted since) keeps just the id.
        Assert.Single(consumers.Values, c => c.Name is null && Guid.TryParse(c.Consumer, out _));
    }
#endif
#if (apikeys)

    [Fact]
    public async Task An_api_key_consumer_is_named_by_the_key_name()
    {
        using var factory = new UsageApiFactory();
        ApiKey key;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            key = (await scope.ServiceProvider.GetRequiredService<ApiKeyStore>().CreateAsync("reporting-key", ["items:read"], null, null, "tests", CancellationToken.None)).Key;
        }

        await factory.CreateClient().As($"apikey:{key.Id}", scopes: "items:read").GetAsync("/items");
        await factory.CreateClient().GetAsync("/items");

        var consumers = await ConsumersAsync(factory);
        Assert.Equal("reporting-key", consumers[$"apikey:{key.Id}"].Name);
        Assert.Null(consumers["anonymous"].Name);
    }
#endif

    [Fact]
    public async Task Only_the_top_consumers_are_named_with_one_lookup_per_source_per_call()
    {
        var names = new RecordingConsumerNames();
        using var factory = new NamedConsumersFactory(names);
        for (var i = 0; i < 8; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                await factory.CreateClient().As($"caller-{i}").GetAsync("/items");
            }
        }

        var top = await factory.CreateClient().Admin().GetFromJsonAsync<JsonElement>("/usage/users?top=3");

        var asked = Assert.Single(names.Calls);
        Assert.Equal(["caller-7", "caller-6", "caller-5"], asked);
        Assert.Equal(["name of caller-7", "name of caller-6", "name of caller-5"], top.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Stats_count_requests_per_status_class_when_asked_in_memory_and_once_stored()
    {
        using var factory = new UsageApiFactory();
        var client = factory.CreateClient().Admin();
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync("/items");
        }

        await client.GetAsync($"/items/{Guid.NewGuid()}");
        await client.GetAsync("/no-such-route");

        var plain = await client.GetFromJsonAsync<JsonElement>("/usage/stats");
        Assert.False(plain.TryGetProperty("statusClasses", out _));

        foreach (var stored in (bool[])[false, true])
        {
            if (stored)
            {
                await factory.FlushAsync();
            }

            var stats = await client.GetFromJsonAsync<JsonElement>("/usage/stats?statusClasses=true");
            var classes = stats.GetProperty("statusClasses").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
            Assert.Equal(new Dictionary<string, long> { ["2xx"] = 3, ["3xx"] = 0, ["4xx"] = 2, ["5xx"] = 0 }, classes);
        }
    }

    private static async Task<Dictionary<string, ConsumerRow>> ConsumersAsync(UsageApiFactory factory)
    {
        var rows = await factory.CreateClient().Admin().GetFromJsonAsync<ConsumerRow[]>("/usage/users?top=100");
        return rows!.ToDictionary(r => r.Consumer);
    }

    private sealed record ConsumerRow(string Consumer, long Count, string? Name);

    private sealed class NamedConsumersFactory(RecordingConsumerNames names) : UsageApiFactory
    {
        protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<IUsageConsumerNames>(names);
    }

    private sealed class RecordingConsumerNames : IUsageConsumerNames
    {
        public List<string[]> Calls { get; } = [];

        public Task<IReadOnlyDictionary<string, string>> NamesAsync(IReadOnlyCollection<string> consumers, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add([.. consumers]);
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(
                consumers.Where(c => c.StartsWith("caller-", StringComparison.Ordinal)).ToDictionary(c => c, c => "name of " + c));
        }
    }
}
