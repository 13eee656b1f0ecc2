#if (google)
using AuthApiTemplate.Auth.Google;
#endif
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// The real app on its real middleware and a real database of its own, in the Development
/// environment (migrations applied at start). Settings override configuration per test class.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public ApiFactory()
    {
#if (google)
        foreach (var (key, value) in Google.GoogleStub.Settings())
        {
            Settings[key] = value;
        }
#endif
#if (useRedis)
        Settings["ConnectionStrings:Redis"] = TestServices.Redis;
        Settings["Redis:KeyPrefix"] = RedisPrefix;
#endif
    }

    /// <summary>This app's own empty database (a SQLite file, or a PostgreSQL database of its own).</summary>
    public TestDatabase Database { get; } = new();

    public string ConnectionString => Database.ConnectionString;
#if (useRedis)

    /// <summary>This app's own Redis key prefix; two factories given one prefix act as two instances of one app.</summary>
    public string RedisPrefix
    {
        get => _redisPrefix;
        init
        {
            _redisPrefix = value;
            Settings["Redis:KeyPrefix"] = value;
        }
    }

    private readonly string _redisPrefix = TestServices.NewRedisPrefix();
#endif

#if (google)
    /// <summary>The stand-in for Google's servers that this app's Google client talks to.</summary>
    public Google.GoogleStub GoogleServer { get; } = new();

#endif
    /// <summary>The app's clock: real time unless a test moves it.</summary>
    public TestClock Clock { get; } = new();

    /// <summary>Everything the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The hosting environment; Development applies migrations at start and has a signing key.</summary>
    public string Environment { get; set; } = "Development";

    /// <summary>Configuration this factory's app runs with, on top of appsettings.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A client for the API's protected routes: when the app has authentication, every request
    /// carries an admin's credential (a signed-in user's token, else an API key with every scope);
    /// otherwise it is a plain client.
    /// </summary>
    public HttpClient CreateApiClient() =>
#if (jwtPlugin)
        CreateDefaultClient(new SignedInUserHandler(this));
#elif (apikeys)
        CreateDefaultClient(new ApiKeys.ApiKeyClientHandler(this));
#elif (googleCookie)
        CreateDefaultClient(new Google.Session.SessionClientHandler(this));
#else
        CreateClient();
#endif

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("ConnectionStrings:Default", ConnectionString);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
            if (key.EndsWith("Secret", StringComparison.OrdinalIgnoreCase) || key.EndsWith("SigningKey", StringComparison.OrdinalIgnoreCase))
            {
                TestSink.DeclareSecret(value);
            }
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
#if (google)
            services.AddHttpClient(GoogleAuthDefaults.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(() => GoogleServer);
#endif
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Logs.Dispose();
            Database.Dispose();
        }
    }
}
