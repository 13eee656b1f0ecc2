using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>`dotnet new apikeys` in a fresh `dotnet new webapi` project, wired by following the instructions it printed.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class ApiKeysItemTests(TemplatePackFixture fixture)
{
    [Fact]
    public async Task ApiKeysInAFreshWebApiBuildsAndProtectsItsEndpointsWithScopedKeys()
    {
        var project = await WebApiWithItems.CreateAsync(fixture, "webapi-apikeys", "Weather.Keys-App", ["apikeys", "--scopes", "weather:read,weather:write"]);
        var scopes = await File.ReadAllTextAsync(Path.Combine(project.Directory, "Auth", "ApiKeys", "ApiScopes.cs"));
        Assert.Contains("\"weather:read,weather:write\"", scopes, StringComparison.Ordinal);

        var instructions = PrintedInstructions.Parse(project.ItemResults[0].Output, new Dictionary<string, string> { ["<RootNamespace>"] = project.RootNamespace });
        var environment = await instructions.ApplyToAsync(project);
        // "On your endpoints": the webapi template's own endpoint.
        project.AddUsings($"{project.RootNamespace}.Auth");
        project.ReplaceInProgram(".WithName(\"GetWeatherForecast\");", ".WithName(\"GetWeatherForecast\").RequireScope(\"weather:read\");");

        (await project.BuildAsync()).EnsureSuccess("The webapi project with apikeys, wired as printed, does not build with warnings as errors.");

        var printed = await instructions.RunCommandsAsync(project, environment);
        Assert.Equal(["apikeys", "create", "--name", "admin", "--scopes", "*"], Assert.Single(instructions.Commands));
        var admin = printed[0].LastLine;
        var reader = (await project.RunAppAsync(environment, "apikeys", "create", "--name", "reader", "--scopes", "weather:read")).EnsureSuccess("apikeys create failed.").LastLine;
        Assert.Matches("^ak_[0-9A-Za-z]{49}$", admin);

        await using var app = project.Start(environment);
        var baseAddress = await app.WaitForListeningAsync(TimeSpan.FromSeconds(90));
        using var http = new HttpClient { BaseAddress = baseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(new Uri("/weatherforecast", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/weatherforecast", reader)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(http, HttpMethod.Get, "/api-keys", reader)).StatusCode);

        var created = await SendAsync(http, HttpMethod.Post, "/api-keys", admin, new { name = "made-over-http", scopes = new[] { "weather:*" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        var secret = body["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/weatherforecast", secret)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(http, HttpMethod.Delete, $"/api-keys/{body["id"]}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(http, HttpMethod.Get, "/weatherforecast", secret)).StatusCode);
        Assert.False(app.HasExited, app.Describe("The app exited while serving requests."));
    }


    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", key);
        return http.SendAsync(request);
    }

}
