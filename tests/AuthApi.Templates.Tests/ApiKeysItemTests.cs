using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>`dotnet new apikeys` in a fresh `dotnet new webapi` project, wired as its instructions say.</summary>
[Collection(TemplatePackCollection.Name)]
public sealed class ApiKeysItemTests(TemplatePackFixture fixture)
{
    [Fact]
    public async Task ApiKeysInAFreshWebApiBuildsAndProtectsItsEndpointsWithScopedKeys()
    {
        var project = await WebApiWithItems.CreateAsync(fixture, "webapi-apikeys", "Weather.Keys-App", ["apikeys", "--scopes", "weather:read,weather:write"]);
        Assert.Contains("builder.AddApiKeys();", project.ItemResults[0].Output, StringComparison.Ordinal);
        var scopes = await File.ReadAllTextAsync(Path.Combine(project.Directory, "Auth", "ApiKeys", "ApiScopes.cs"));
        Assert.Contains("\"weather:read,weather:write\"", scopes, StringComparison.Ordinal);

        // The wiring the item's manual instructions print.
        project.AddUsings(
            $"{project.RootNamespace}.Auth",
            $"{project.RootNamespace}.Auth.ApiKeys",
            $"{project.RootNamespace}.Infrastructure.CommandLine",
            $"{project.RootNamespace}.Infrastructure.RateLimiting");
        project.InsertAfter("var builder = WebApplication.CreateBuilder(args);",
            "builder.AddAppCommands(args); builder.Services.AddProblemDetails(); builder.AddApiKeys();");
        project.InsertAfter("var app = builder.Build();",
            "app.UseExceptionHandler(); app.UseStatusCodePages(); app.UseAuthentication(); app.UseApiRateLimiting(); app.UseAuthorization(); app.MapApiKeyEndpoints(); app.MapHealthChecks(\"/health/ready\");");
        project.ReplaceInProgram(".WithName(\"GetWeatherForecast\");", ".WithName(\"GetWeatherForecast\").RequireScope(\"weather:read\");");
        project.ReplaceInProgram("app.Run();", "await app.RunAppOrCommandAsync(args);");
        project.SetSettings("appsettings.json", new Dictionary<string, JsonNode?> { ["ConnectionStrings:Default"] = "Data Source=App_Data/app.db" });
        project.SetSettings("appsettings.Development.json", new Dictionary<string, JsonNode?> { ["Database:MigrateOnStartup"] = true });

        (await project.BuildAsync()).EnsureSuccess("The webapi project with apikeys does not build with warnings as errors.");

        var environment = new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Development" };
        var reader = LastLine((await project.RunAppAsync(environment, "apikeys", "create", "--name", "reader", "--scopes", "weather:read")).EnsureSuccess("apikeys create failed."));
        var admin = LastLine((await project.RunAppAsync(environment, "apikeys", "create", "--name", "admin", "--scopes", "*")).EnsureSuccess("apikeys create failed."));
        Assert.Matches("^ak_[0-9A-Za-z]{49}$", reader);

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

    private static string LastLine(ProcessResult result) => result.Output.TrimEnd().Split('\n')[^1].Trim();

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", key);
        return http.SendAsync(request);
    }

}
