using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// `dotnet new jwtauth` in a fresh `dotnet new web` project (the empty one, without OpenAPI: the item brings the
/// package its security-scheme descriptions need), wired by following the instructions it printed.
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

        var instructions = PrintedInstructions.Parse(output, new Dictionary<string, string>
        {
            ["<RootNamespace>"] = project.RootNamespace,
            ["<your app>"] = "web-jwt-app",
        });
        // The signing key goes to user secrets, which the app reads in Development.
        var environment = await instructions.ApplyToAsync(project);
        Assert.Contains("UserSecretsId", await File.ReadAllTextAsync(Path.Combine(project.Directory, project.Name + ".csproj")), StringComparison.Ordinal);

        (await project.BuildAsync()).EnsureSuccess("The web project with jwtauth, wired as printed, does not build with warnings as errors.");

        var printed = await instructions.RunCommandsAsync(project, environment);
        Assert.Equal([["users", "create", "you@example.com", "--roles", "admin"], ["tokens", "create", "you@example.com"]], instructions.Commands);
        var userId = printed[0].LastLine;
        Assert.True(Guid.TryParse(userId, out _), printed[0].Describe("users create did not print the id last."));
        var pair = JsonNode.Parse(printed[1].LastLine)!;

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

        var second = JsonNode.Parse((await project.RunAppAsync(environment, "tokens", "create", "you@example.com")).EnsureSuccess().LastLine)!;
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
