using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// The <c>&lt;Name&gt;.http</c> file of the API project against the app it was scaffolded with: a request for
/// every route in the app's OpenAPI document, none for a route the app lacks, at the launch profile's address.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed partial class HttpFileTests(TemplatePackFixture fixture)
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("all-plugins")]
    [InlineData("google-cookie")]
    [InlineData("no-plugins")]
    public async Task The_http_file_has_a_request_for_every_route_of_the_app_and_none_for_a_route_it_lacks(string variant)
    {
        var app = await fixture.GetAppAsync(Variants.ById(variant));
        var path = Path.Combine(app.ProjectDirectory, app.Name + ".http");
        Assert.True(File.Exists(path), $"{app}: no {app.Name}.http beside the project.");
        var lines = await File.ReadAllLinesAsync(path);

        var baseUrl = lines.Select(line => BaseUrlVariable().Match(line)).Single(match => match.Success).Groups["value"].Value;
        Assert.Equal(await HttpProfileUrlAsync(app), baseUrl);

        var requests = new List<(string Method, string Route, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = RequestLine().Match(lines[i]);
            if (match.Success)
            {
                var target = match.Groups["target"].Value;
                Assert.True(target.StartsWith("{{baseUrl}}/", StringComparison.Ordinal), $"{app.Name}.http:{i + 1}: the request is not sent to {{{{baseUrl}}}}: {lines[i]}");
                requests.Add((match.Groups["method"].Value, RouteOf(target["{{baseUrl}}".Length..]), i + 1));
            }
        }

        Assert.True(requests.Count > 0, $"{app.Name}.http has no request line.");
        var undefined = UndefinedVariables(lines).ToList();
        Assert.True(undefined.Count == 0, $"{app.Name}.http uses variables it never defines before:\n{string.Join('\n', undefined)}");

        // A database of its own, apart from the other tests that start this variant.
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__Default"] = $"Data Source={Path.Combine(fixture.TempRoot, $"http-file-{Guid.NewGuid():N}.db")}",
        };
        await using var process = app.Start([app.AppAssembly, "--urls", "http://127.0.0.1:0"], app.ProjectDirectory, environment);
        using var http = new HttpClient { BaseAddress = await process.WaitForListeningAsync(StartupTimeout), Timeout = TimeSpan.FromSeconds(30) };
        using var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(route => route.Value.EnumerateObject().Select(operation => (Method: operation.Name.ToUpperInvariant(), Route: RouteOf(route.Name))))
            .ToHashSet();

        var missing = documented.Where(operation => !requests.Any(r => r.Method == operation.Method && r.Route == operation.Route)).ToList();
        Assert.True(missing.Count == 0, $"{app}: {app.Name}.http has no request for:\n{string.Join('\n', missing.Select(m => $"{m.Method} {m.Route}"))}");

        // Routes the document leaves out on purpose (health checks) must still be routes of the app.
        foreach (var (method, route, line) in requests.Where(r => !documented.Contains((r.Method, r.Route))))
        {
            Assert.True(method == "GET" && !route.Contains('{', StringComparison.Ordinal), $"{app.Name}.http:{line}: {method} {route} is not in the app's OpenAPI document.");
            using var response = await http.GetAsync(new Uri(route, UriKind.Relative));
            Assert.True(response.StatusCode != HttpStatusCode.NotFound, $"{app.Name}.http:{line}: the app has no route GET {route}.");
        }

        // The walk-through order: who am I, a key, the items with it, then what the tracker counted.
        var order = new[] { ("GET", "/auth/me"), ("POST", "/api-keys"), ("GET", "/items"), ("GET", "/usage/stats") }
            .Select(step => requests.FindIndex(r => (r.Method, r.Route) == step))
            .Where(index => index >= 0)
            .ToList();
        Assert.True(order.SequenceEqual(order.Order()), $"{app.Name}.http does not go from signing in to a key, the items and the usage statistics in that order.");
        Assert.False(process.HasExited, process.Describe("The app exited while serving requests."));
    }

    /// <summary>A route template with every parameter, from the document ({id}) or the file ({{createItem...}}), as "{}".</summary>
    private static string RouteOf(string target)
    {
        var path = target.Split('?', 2)[0];
        return PathParameter().Replace(path, "{}");
    }

    /// <summary>The first http:// address of the launch profile named http.</summary>
    private static async Task<string> HttpProfileUrlAsync(ScaffoldedApp app)
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(app.ProjectDirectory, "Properties", "launchSettings.json")))!;
        var urls = settings["profiles"]!["http"]!["applicationUrl"]!.GetValue<string>();
        return urls.Split(';').First(url => url.StartsWith("http://", StringComparison.Ordinal));
    }

    /// <summary>Uses of {{name}} before a line "@name = ..." defines it, and of {{request.response...}} before "# @name request".</summary>
    private static IEnumerable<string> UndefinedVariables(string[] lines)
    {
        var variables = new HashSet<string>(StringComparer.Ordinal);
        var requests = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith('#') && NamedRequest().Match(lines[i]) is { Success: true } named)
            {
                requests.Add(named.Groups["name"].Value);
                continue;
            }

            if (lines[i].TrimStart().StartsWith('#') || lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match use in VariableUse().Matches(lines[i]))
            {
                var name = use.Groups["name"].Value;
                var defined = name.StartsWith('$')
                    || (name.Contains('.', StringComparison.Ordinal) ? requests.Contains(name.Split('.')[0]) : variables.Contains(name));
                if (!defined)
                {
                    yield return $"line {i + 1}: {{{{{name}}}}}";
                }
            }

            if (VariableDefinition().Match(lines[i]) is { Success: true } definition)
            {
                variables.Add(definition.Groups["name"].Value);
            }
        }
    }

    [GeneratedRegex(@"^(?<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(?<target>\S+)(\s+HTTP/\S+)?\s*$")]
    private static partial Regex RequestLine();

    [GeneratedRegex(@"^@baseUrl\s*=\s*(?<value>\S+)\s*$")]
    private static partial Regex BaseUrlVariable();

    [GeneratedRegex(@"^@(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=")]
    private static partial Regex VariableDefinition();

    [GeneratedRegex(@"\{\{\s*(?<name>[^}\s]+)\s*\}\}")]
    private static partial Regex VariableUse();

    [GeneratedRegex(@"^#\s*@name\s+(?<name>\S+)\s*$")]
    private static partial Regex NamedRequest();

    [GeneratedRegex(@"\{\{[^}]*\}\}|\{[^}/]*\}")]
    private static partial Regex PathParameter();
}
