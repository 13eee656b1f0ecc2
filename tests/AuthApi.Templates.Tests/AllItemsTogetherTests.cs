using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// All four item templates in one fresh <c>dotnet new webapi</c> project, added in two orders (the
/// second and later with --force, as their instructions say): the project builds with warnings as
/// errors and the app starts and answers.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class AllItemsTogetherTests(TemplatePackFixture fixture)
{
    [Theory]
    [InlineData("webapi-all-items-forward", "jwtauth", "googleauth", "apikeys", "usagetracker")]
    [InlineData("webapi-all-items-reverse", "usagetracker", "apikeys", "googleauth", "jwtauth")]
    public async Task All_four_plugins_in_one_webapi_project_build_and_start_in_either_order(string id, params string[] order)
    {
        string[][] items = [.. order.Select((item, index) => index == 0 ? new[] { item } : [item, "--force"])];
        var project = await WebApiWithItems.CreateAsync(fixture, id, "Web.All-Plugins", items);

        var ns = project.RootNamespace;
        project.AddUsings($"{ns}.Auth.ApiKeys", $"{ns}.Auth.Google", $"{ns}.Auth.Jwt", $"{ns}.Usage",
            $"{ns}.Infrastructure.CommandLine", $"{ns}.Infrastructure.RateLimiting");
        project.InsertAfter("var builder = WebApplication.CreateBuilder(args);",
            "builder.AddAppCommands(args); builder.Services.AddProblemDetails(); builder.AddUsageTracking(); builder.AddJwtAuth(); builder.AddGoogleAuth(); builder.AddApiKeys();");
        project.InsertAfter("var app = builder.Build();",
            "app.UseUsageTracking(); app.UseExceptionHandler(); app.UseStatusCodePages(); app.UseAuthentication(); app.UseApiRateLimiting(); app.UseAuthorization(); " +
            "app.MapJwtEndpoints(); app.MapGoogleAuthEndpoints(); app.MapApiKeyEndpoints(); app.MapUsageEndpoints(); app.MapHealthChecks(\"/health/ready\");");
        project.ReplaceInProgram("app.Run();", "await app.RunAppOrCommandAsync(args);");
        project.SetSettings("appsettings.json", new Dictionary<string, JsonNode?>
        {
            ["Jwt:Issuer"] = "web-all-plugins",
            ["Jwt:Audience"] = "web-all-plugins",
            ["ConnectionStrings:Default"] = "Data Source=App_Data/app.db",
        });
        project.SetSettings("appsettings.Development.json", new Dictionary<string, JsonNode?> { ["Database:MigrateOnStartup"] = true });
        (await project.BuildAsync()).EnsureSuccess($"The webapi project with {string.Join(", ", order)} does not build with warnings as errors.");

        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        var key = (await project.RunAppAsync(environment, "apikeys", "create", "--name", "ops", "--scopes", "*")).EnsureSuccess("apikeys create failed.").LastLine;
        await using var app = project.Start(environment);
        var baseAddress = await app.WaitForListeningAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = baseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/auth/google/config", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/usage/stats", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/auth/me", UriKind.Relative))).StatusCode);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, new Uri("/usage/stats", UriKind.Relative));
        withKey.Headers.Add("X-API-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(withKey)).StatusCode);
        Assert.False(app.HasExited, app.Describe("The app exited while serving requests."));
    }
}
