using System.Text.Json.Nodes;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The launch profiles as <c>webapi</c> has them: ports picked for each scaffold (or given with
/// <c>--kestrelHttpPort</c>/<c>--kestrelHttpsPort</c>), an https profile on the development certificate unless
/// <c>--no-https</c>, and the same address in the <c>.http</c> file and the README.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class LaunchProfileTests(TemplatePackFixture fixture)
{
    [Fact]
    public async Task Each_scaffold_picks_its_own_ports_and_has_an_https_profile_on_them()
    {
        var apps = await Task.WhenAll(Variants.Built.Where(v => !v.Options.Contains("--no-https")).Select(fixture.GetAppAsync));
        var httpPorts = new List<int>();
        foreach (var app in apps)
        {
            var profiles = await ProfilesAsync(app);
            var http = PortOf(profiles["http"]!, "http");
            Assert.InRange(http, 5000, 5300);
            var https = PortOf(profiles["https"]!, "https");
            Assert.InRange(https, 7000, 7300);
            Assert.Equal($"https://localhost:{https};http://localhost:{http}", profiles["https"]!["applicationUrl"]!.GetValue<string>());
            httpPorts.Add(http);
        }

        Assert.True(httpPorts.Distinct().Count() > 1, $"Every scaffold listens on the same port: {string.Join(", ", httpPorts)}.");
    }

    [Fact]
    public async Task Ports_given_when_scaffolding_are_used_in_the_profiles_the_http_file_and_the_readme()
    {
        var app = await fixture.GetAppAsync(Variants.FixedPorts);

        var profiles = await ProfilesAsync(app);
        Assert.Equal("http://localhost:5123", profiles["http"]!["applicationUrl"]!.GetValue<string>());
        Assert.Equal("https://localhost:7123;http://localhost:5123", profiles["https"]!["applicationUrl"]!.GetValue<string>());
        Assert.Contains("@baseUrl = http://localhost:5123", await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, app.Name + ".http")), StringComparison.Ordinal);
        var readme = await File.ReadAllTextAsync(app.PathOf("README.md"));
        Assert.Contains("http://localhost:5123/scalar/v1", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost:5080", readme, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_https_leaves_out_the_https_profile_and_the_https_redirection()
    {
        var app = await fixture.GetAppAsync(Variants.Built.Single(v => v.Options.Contains("--no-https")));

        var profiles = await ProfilesAsync(app);
        Assert.Equal(["http"], profiles.Select(profile => profile.Key));
        Assert.False(Directory.Exists(Path.Combine(app.ProjectDirectory, "Infrastructure", "Https")), $"{app}: Infrastructure/Https exists.");
        Assert.DoesNotContain("Https", await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "Program.cs")), StringComparison.Ordinal);
        Assert.Null(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "appsettings.json")))!["Https"]);
        // Forwarded headers stay: the proxy that terminates TLS still has to pass on the client's address.
        Assert.NotNull(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "appsettings.json")))!["ForwardedHeaders"]);
    }

    private static async Task<JsonObject> ProfilesAsync(ScaffoldedApp app) =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "Properties", "launchSettings.json")))!["profiles"]!.AsObject();

    private static int PortOf(JsonNode profile, string scheme)
    {
        var url = profile["applicationUrl"]!.GetValue<string>().Split(';').Single(u => u.StartsWith(scheme + "://", StringComparison.Ordinal));
        return new Uri(url).Port;
    }
}
