using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// `dotnet new jwtauth` in a fresh `dotnet new web` project (the empty one, without OpenAPI: the item brings the
/// package its security-scheme descriptions need), wired as its instructions say.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class JwtItemTests(TemplatePackFixture fixture)
{
    [Fact]
    public async Task JwtAuthInAFreshEmptyWebProjectBuildsAndIssuesValidatesRefreshesAndRevokesTokens()
    {
        var project = await WebApiWithItems.CreateAsync(fixture, "web", "web-jwtauth", "Web.Jwt-App", ["jwtauth"]);

        var output = project.ItemResults[0].Output;
        Assert.Contains("builder.AddJwtAuth();", output, StringComparison.Ordinal);
        var csproj = await File.ReadAllTextAsync(Path.Combine(project.Directory, project.Name + ".csproj"));
        Assert.Contains("Microsoft.AspNetCore.Authentication.JwtBearer", csproj, StringComparison.Ordinal);
        Assert.Contains("Microsoft.AspNetCore.OpenApi", csproj, StringComparison.Ordinal);
        var tokenService = await File.ReadAllTextAsync(Path.Combine(project.Directory, "Auth", "Jwt", "TokenService.cs"));
        Assert.Contains($"namespace {project.RootNamespace}.Auth.Jwt;", tokenService, StringComparison.Ordinal);

        // The wiring the item's manual instructions print.
        project.AddUsings($"{project.RootNamespace}.Auth.Jwt", $"{project.RootNamespace}.Infrastructure.CommandLine");
        project.InsertAfter("var builder = WebApplication.CreateBuilder(args);",
            "builder.AddAppCommands(args); builder.Services.AddProblemDetails(); builder.AddJwtAuth();");
        project.InsertAfter("var app = builder.Build();",
            "app.UseExceptionHandler(); app.UseStatusCodePages(); app.UseAuthentication(); app.UseAuthorization(); app.MapJwtEndpoints(); app.MapHealthChecks(\"/health/ready\");");
        project.ReplaceInProgram("app.Run();", "await app.RunAppOrCommandAsync(args);");
        project.SetSettings("appsettings.json", new Dictionary<string, JsonNode?>
        {
            ["Jwt:Issuer"] = "web-jwt-app",
            ["Jwt:Audience"] = "web-jwt-app",
            ["ConnectionStrings:Default"] = "Data Source=App_Data/app.db",
        });
        project.SetSettings("appsettings.Development.json", new Dictionary<string, JsonNode?> { ["Database:MigrateOnStartup"] = true });

        (await project.BuildAsync()).EnsureSuccess("The web project with jwtauth does not build with warnings as errors.");

        // The signing key as a deployment would pass it; user secrets work the same way.
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Jwt__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        var created = (await project.RunAppAsync(environment, "users", "create", "ada@example.com", "--roles", "admin"))
            .EnsureSuccess("users create failed.");
        var userId = created.Output.TrimEnd().Split('\n')[^1].Trim();
        Assert.True(Guid.TryParse(userId, out _), created.Describe("users create did not print the id last."));
        var issued = (await project.RunAppAsync(environment, "tokens", "create", "ada@example.com")).EnsureSuccess("tokens create failed.");
        var pair = JsonNode.Parse(issued.Output.TrimEnd().Split('\n')[^1])!;

        await using var app = project.Start(environment);
        var baseAddress = await app.WaitForListeningAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = baseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/me/profile", UriKind.Relative))).StatusCode);

        var accessToken = pair["accessToken"]!.GetValue<string>();
        var profile = await SendAsync(http, HttpMethod.Get, "/me/profile", accessToken);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        Assert.Contains(userId, await profile.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/admin/ping", accessToken)).StatusCode);

        var refreshToken = pair["refreshToken"]!.GetValue<string>();
        var refreshed = await http.PostAsJsonAsync(new Uri("/auth/refresh", UriKind.Relative), new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newPair = JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!;
        // The spent token again, within Jwt:RefreshReuseLeeway: a concurrent refresh, so the session lives on.
        Assert.Equal(HttpStatusCode.Conflict, (await http.PostAsJsonAsync(new Uri("/auth/refresh", UriKind.Relative), new { refreshToken })).StatusCode);
        var newAccessToken = newPair["accessToken"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/me/profile", newAccessToken)).StatusCode);

        var second = JsonNode.Parse((await project.RunAppAsync(environment, "tokens", "create", "ada@example.com")).EnsureSuccess().Output.TrimEnd().Split('\n')[^1])!;
        var secondAccess = second["accessToken"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, HttpMethod.Post, "/auth/logout", secondAccess)).StatusCode);
        var afterLogout = await SendAsync(http, HttpMethod.Get, "/me/profile", secondAccess);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Contains("invalid_token", afterLogout.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(app.HasExited, app.Describe("The app exited while serving requests."));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string accessToken)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return http.SendAsync(request);
    }

}
