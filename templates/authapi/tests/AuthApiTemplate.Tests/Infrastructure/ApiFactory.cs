using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthApiTemplate.Tests.Infrastructure;

/// <summary>
/// The real app on its real middleware and a real SQLite file of its own, in the Development
/// environment (migrations applied at start). Settings override configuration per test class.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    private readonly string _folder = Directory.CreateTempSubdirectory("authapi-tests-").FullName;

    public ApiFactory()
    {
        DatabasePath = Path.Combine(_folder, "app.db");
    }

    public string DatabasePath { get; }

    public string ConnectionString => $"Data Source={DatabasePath}";

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
#if (jwt)
        CreateDefaultClient(new SignedInUserHandler(this));
#elif (apikeys)
        CreateDefaultClient(new ApiKeys.ApiKeyClientHandler(this));
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
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open only leaves a temp folder behind.
            }
        }
    }
}
