using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Micro;

/// <summary>
/// The all-plugins app (Google included) as the benchmarks host it: on the SQLite file, signing key, token and key that
/// bench/run.sh prepared (BENCH_* variables), tracker off, logging quiet, rate limits out of the way.
/// </summary>
public static class BenchApp
{
    public static string Token => Required("BENCH_TOKEN");

    public static string ApiKey => Required("BENCH_APIKEY");

    public static WebApplicationFactory<Program> Create() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Default", "Data Source=" + Required("BENCH_DB"));
            builder.UseSetting("Jwt:SigningKey", Required("BENCH_SIGNING_KEY"));
            builder.UseSetting("Usage:Enabled", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("RateLimiting:Global:PermitLimit", "1000000");
            builder.UseSetting("ApiKeys:DefaultPermitsPerMinute", "1000000");
            // Outside Development the app refuses placeholder Google credentials; no benchmark calls Google.
            builder.UseSetting("Authentication:Google:ClientId", "bench-client.apps.googleusercontent.com");
            builder.UseSetting("Authentication:Google:ClientSecret", "bench-client-secret-0f3a");
        });

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new InvalidOperationException($"{name} is not set: run this through bench/run.sh.");
}
