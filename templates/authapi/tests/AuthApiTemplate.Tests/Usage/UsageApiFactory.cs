using System.Security.Claims;
using System.Text.Encodings.Web;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Usage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests.Usage;

/// <summary>
/// The app with a test authentication scheme in front, so a test says who calls through headers
/// (<see cref="TestCaller"/>) whatever authentication plugins the app has, and helpers to reach the
/// tracker, its writer and its tables.
/// </summary>
public class UsageApiFactory : ApiFactory
{
    public const string Scheme = "UsageTest";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultAuthenticateScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
            }).AddScheme<AuthenticationSchemeOptions, TestCallerHandler>(Scheme, null);
            // The base app authorizes only when it has authentication; the test scheme brings both.
            services.AddAuthorization();
            ConfigureTestServices(services);
        });
    }

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    public UsageTracker Tracker => Services.GetRequiredService<UsageTracker>();

    /// <summary>Writes everything measured so far (the current minute included) to the store now.</summary>
    public Task FlushAsync() => Services.GetRequiredService<UsageWriter>().FlushAsync(final: true, CancellationToken.None);

    public async Task<T> WithDbAsync<T>(Func<UsageDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UsageDbContext>());
    }

    /// <summary>Every row of every usage table, as text, for the "no secret stored" checks.</summary>
    public Task<string> DumpUsageTablesAsync() =>
        Database.DumpAsync(["UsageTotals", "UsageEndpointRollups", "UsageConsumerRollups", "UsageRequests"]);
}

/// <summary>Headers the test scheme reads to sign a caller in.</summary>
public static class TestCaller
{
    public const string Subject = "X-Test-Subject";
    public const string Roles = "X-Test-Roles";
    public const string Scopes = "X-Test-Scopes";

    public static HttpClient As(this HttpClient client, string subject, string? roles = null, string? scopes = null)
    {
        client.DefaultRequestHeaders.Remove(Subject);
        client.DefaultRequestHeaders.Add(Subject, subject);
        if (roles is not null)
        {
            client.DefaultRequestHeaders.Add(Roles, roles);
        }

        if (scopes is not null)
        {
            client.DefaultRequestHeaders.Add(Scopes, scopes);
        }

        return client;
    }

    public static HttpClient Admin(this HttpClient client) => client.As("admin-user", roles: "admin");
}

/// <summary>
/// Signs in whoever <see cref="TestCaller"/>'s headers name, with the claims the AuthApi plugins use:
/// <c>sub</c>, <c>role</c>, and for an API key <c>api_key_id</c> + <c>scope</c>.
/// </summary>
public sealed class TestCallerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(TestCaller.Subject, out var subject))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new("sub", subject.ToString()) };
        foreach (var role in Request.Headers[TestCaller.Roles].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            claims.Add(new Claim("role", role));
        }

        if (Request.Headers.TryGetValue(TestCaller.Scopes, out var scopes))
        {
            claims.Add(new Claim("api_key_id", subject.ToString()));
            claims.AddRange(scopes.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim("scope", s)));
        }

        var identity = new ClaimsIdentity(claims, Scheme.Name, "sub", "role");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }
}
