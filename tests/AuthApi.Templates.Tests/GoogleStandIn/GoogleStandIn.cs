using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests.GoogleStandIn;

/// <summary>
/// The local stand-in for Google (oauth2-mock-server from npm, installed once per run): the app's
/// Authentication:Google endpoints point at it, so the whole redirect flow with PKCE and the ID-token
/// flow run for real, on loopback.
/// </summary>
public sealed partial class GoogleStandInServer : IAsyncDisposable
{
    public const string ClientId = "authapi-tests.apps.googleusercontent.com";
    public const string ClientSecret = "GOCSPX-pack-tests-3b81f0c2d9";

    private static readonly SemaphoreSlim InstallGate = new(1, 1);
    private readonly RunningProcess _process;

    private GoogleStandInServer(RunningProcess process, Uri baseUrl, string idToken)
    {
        _process = process;
        BaseUrl = baseUrl;
        IdToken = idToken;
    }

    public Uri BaseUrl { get; }

    /// <summary>A valid ID token for the stand-in's account, as Google Identity Services would hand it to a page.</summary>
    public string IdToken { get; }

    public static async Task<GoogleStandInServer> StartAsync(TemplatePackFixture fixture, string subject, string email)
    {
        var directory = Path.Combine(fixture.TempRoot, "google-stand-in");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(directory, "node_modules", "oauth2-mock-server", "package.json")))
            {
                Directory.CreateDirectory(directory);
                await File.WriteAllTextAsync(Path.Combine(directory, "package.json"), """{ "name": "google-stand-in", "private": true, "type": "module" }""");
                (await ProcessRunner.RunAsync("npm", ["install", "oauth2-mock-server@9.3.0", "--no-audit", "--no-fund", "--loglevel=error"],
                    directory, new Dictionary<string, string?>(), TimeSpan.FromMinutes(3)))
                    .EnsureSuccess("npm install oauth2-mock-server failed (is the npm registry reachable?).");
            }

            File.Copy(Path.Combine(AppContext.BaseDirectory, "GoogleStandIn", "google-stand-in.mjs"), Path.Combine(directory, "google-stand-in.mjs"), overwrite: true);
        }
        finally
        {
            InstallGate.Release();
        }

        var process = RunningProcess.Start("node", ["google-stand-in.mjs", ClientId, subject, email], directory, new Dictionary<string, string?>());
        var ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30));
        var idToken = await process.WaitForLineAsync(IdTokenLine(), TimeSpan.FromSeconds(10));
        return new GoogleStandInServer(process, new Uri(ready.Groups[1].Value), idToken.Groups[1].Value);
    }

    /// <summary>Environment variables that point a scaffolded app's Google client at the stand-in.</summary>
    public Dictionary<string, string?> AppEnvironment() => new()
    {
        ["Authentication__Google__ClientId"] = ClientId,
        ["Authentication__Google__ClientSecret"] = ClientSecret,
        ["Authentication__Google__AuthorizationEndpoint"] = new Uri(BaseUrl, "/authorize").ToString(),
        ["Authentication__Google__TokenEndpoint"] = new Uri(BaseUrl, "/token").ToString(),
        ["Authentication__Google__UserInformationEndpoint"] = new Uri(BaseUrl, "/userinfo").ToString(),
        ["Authentication__Google__JwksUri"] = new Uri(BaseUrl, "/jwks").ToString(),
    };

    public string Describe(string what) => _process.Describe(what);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^READY (\S+)")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"^IDTOKEN (\S+)")]
    private static partial Regex IdTokenLine();
}
