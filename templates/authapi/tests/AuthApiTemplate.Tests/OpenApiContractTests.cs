using System.Text.Json;
#if (apikeys)
using AuthApiTemplate.Tests.ApiKeys;
#endif
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests;

/// <summary>
/// The OpenAPI document as a client generator reads it: every operation named and summarised, every error
/// answer typed as a problem, numbers typed as numbers, and security requirements that say what the server
/// really accepts on each route.
/// </summary>
public sealed class OpenApiContractTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] ProblemSchemas = ["#/components/schemas/ProblemDetails", "#/components/schemas/HttpValidationProblemDetails"];

    [Fact]
    public async Task Every_operation_has_a_unique_id_a_summary_and_its_errors_as_problem_details()
    {
        using var document = await DocumentAsync();
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, operation) in Operations(document))
        {
            if (operation.TryGetProperty("operationId", out var id) is false || !ids.Add(id.GetString()!))
            {
                problems.Add($"{name}: no operationId, or one another operation has");
            }

            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                problems.Add($"{name}: no summary");
            }

            var statuses = operation.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            foreach (var expected in ExpectedErrorStatuses(operation))
            {
                if (!statuses.ContainsKey(expected))
                {
                    problems.Add($"{name}: {expected} is not listed");
                }
            }

            foreach (var (status, response) in statuses.Where(s => s.Key[0] is '4' or '5'))
            {
                var schema = response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out var problem)
                    ? problem.GetProperty("schema").GetProperty("$ref").GetString()
                    : null;
                if (!ProblemSchemas.Contains(schema))
                {
                    problems.Add($"{name}: {status} is not a problem details body");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task Numbers_are_typed_as_numbers_only()
    {
        using var document = await DocumentAsync();
        var loose = new List<string>();
        Walk(document.RootElement, "#", loose);
        Assert.True(loose.Count == 0, "Numbers that may also be strings: " + string.Join(", ", loose));

        static void Walk(JsonElement element, string path, List<string> loose)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
                {
                    var types = type.EnumerateArray().Select(t => t.GetString()).ToList();
                    if (types.Contains("string") && (types.Contains("integer") || types.Contains("number")))
                    {
                        loose.Add(path);
                    }
                }

                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, path + "/" + property.Name, loose);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}/{i++}", loose);
                }
            }
        }
    }

    [Fact]
    public async Task Security_requirements_name_the_credentials_each_route_accepts()
    {
        using var document = await DocumentAsync();
#if (anyAuth)
        var users = new List<string>();
#if (jwtPlugin)
        users.Add("Bearer");
#endif
#if (googleCookie)
        users.Add("Session");
#endif
        string[] keys = [];
#if (apikeys)
        keys = ["ApiKey"];
#endif
        Assert.Equal([.. users.Select(u => (u, "")), .. keys.Select(k => (k, "items:read"))], Requirements(document, "/items", "get"));
#else
        Assert.Empty(Requirements(document, "/items", "get"));
        Assert.True(AllowsAnonymous(document, "/items", "get"));
#endif
#if (jwtPlugin)
        // Anonymous routes say so with an empty requirement; a route of the user's own account lists no API key.
        Assert.Empty(Requirements(document, "/auth/refresh", "post"));
        Assert.True(AllowsAnonymous(document, "/auth/refresh", "post"));
        Assert.Equal([.. users.Select(u => (u, ""))], Requirements(document, "/auth/me", "get"));
        Assert.Equal([.. users.Select(u => (u, "admin"))], Requirements(document, "/admin/ping", "get"));
        Assert.True(AllowsAnonymous(document, "/public/hello", "get"));
        Assert.Equal([.. users.Select(u => (u, "")), .. keys.Select(k => (k, ""))], Requirements(document, "/public/hello", "get"));
        Assert.False(AllowsAnonymous(document, "/auth/me", "get"));
#endif
#if (apikeys)
        Assert.Equal([.. users.Select(u => (u, "admin")), ("ApiKey", "keys:manage")], Requirements(document, "/api-keys", "get"));
#endif
#if (usage && anyAuth)
        Assert.Equal([.. users.Select(u => (u, "admin"))], Requirements(document, "/usage/cleanup", "post"));
#endif
    }
#if (apikeys)

    [Fact]
    public async Task A_number_sent_as_a_string_is_a_400_not_coerced()
    {
        var admin = await factory.CreateKeyAsync(["*"]);
        var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api-keys")
        {
            Content = new StringContent("""{"name":"strict","scopes":["items:read"],"permitsPerMinute":"5"}""", System.Text.Encoding.UTF8, "application/json"),
        }.WithKey(admin.Secret));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }
#endif
#if (apikeys && jwtPlugin)

    [Fact]
    public async Task An_api_key_on_a_route_of_the_users_own_account_gets_the_403_the_document_lists()
    {
        var key = await factory.CreateKeyAsync(["*"]);
        var response = await factory.CreateClient().GetWithKeyAsync("/auth/me", key.Secret);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
    }
#endif

    private async Task<JsonDocument> DocumentAsync() =>
        JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonDocument document)
    {
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                yield return ($"{operation.Name.ToUpperInvariant()} {path.Name}", operation.Value);
            }
        }
    }

    /// <summary>Errors the pipeline gives on any operation of this shape, whatever the endpoint's own code does.</summary>
    private static IEnumerable<string> ExpectedErrorStatuses(JsonElement operation)
    {
        var hasBody = operation.TryGetProperty("requestBody", out _);
        if (hasBody || (operation.TryGetProperty("parameters", out var parameters) && parameters.GetArrayLength() > 0))
        {
            yield return "400";
        }

        if (hasBody)
        {
            yield return "415";
        }

        if (Security(operation).Any(requirement => requirement.EnumerateObject().Any()))
        {
            yield return "401";
        }

        yield return "500";
    }

    /// <summary>
    /// The operation's security requirements. An app without an authentication plugin has no schemes and lists none:
    /// with no requirement anywhere in the document, OpenAPI means "no credential needed", like the empty requirement.
    /// </summary>
    private static List<JsonElement> Security(JsonElement operation) =>
        operation.TryGetProperty("security", out var security) ? [.. security.EnumerateArray()] : [];

    /// <summary>Whether the operation needs no credential: the empty requirement, or no requirement at all.</summary>
    private static bool AllowsAnonymous(JsonDocument document, string path, string method)
    {
        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);
        var security = Security(operation);
        return security.Count == 0 || security.Exists(requirement => !requirement.EnumerateObject().Any());
    }

    /// <summary>Each requirement of an operation as (scheme, its scopes or roles joined), the anonymous one left out.</summary>
    private static List<(string Scheme, string Listed)> Requirements(JsonDocument document, string path, string method) =>
        [.. Security(document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method))
            .SelectMany(requirement => requirement.EnumerateObject())
            .Select(scheme => (scheme.Name, string.Join(",", scheme.Value.EnumerateArray().Select(v => v.GetString()))))];
}
