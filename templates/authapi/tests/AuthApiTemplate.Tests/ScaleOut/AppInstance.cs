using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.ScaleOut;

/// <summary>
/// One instance of the app behind a load balancer: an <see cref="AppServer"/> that, given the same
/// database and the same Redis key prefix as another, is one deployment with it.
/// </summary>
public sealed class AppInstance : IAsyncDisposable
{
    private readonly AppServer _server;

    private AppInstance(AppServer server)
    {
        _server = server;
        Client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address => _server.BaseAddress;

    public HttpClient Client { get; }

    /// <summary>Starts the app in Development (its signing key) without migrating, and waits until /health/ready is 200.</summary>
    public static async Task<AppInstance> StartAsync(string connectionString, string redisPrefix, IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Redis:KeyPrefix"] = redisPrefix,
            // Migrations are applied once before the instances start, as a deployment does.
            ["Database:MigrateOnStartup"] = "false",
        };
        var instance = new AppInstance(await AppServer.StartAsync(connectionString, "Development", all));
        try
        {
            await instance.WaitUntilReadyAsync();
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"The app at {Address} did not become ready:\n{_server.Output}");
    }
}
