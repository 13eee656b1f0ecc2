using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>
/// One method on one route, as the OpenAPI document describes it (<c>Document</c> is its operation object)
/// or, when the document leaves it out, as routing knows it (<c>Document</c> is null). <c>Path</c> has the
/// OpenAPI form (<c>/items/{id}</c>); <c>RouteValueKinds</c> says what a valid value of each route
/// parameter looks like: <c>uuid</c>, <c>integer</c> or <c>string</c>.
/// </summary>
public sealed record ApiOperation(string Method, string Path, JsonElement? Document, IReadOnlyDictionary<string, string> RouteValueKinds)
{
    /// <summary>True when the document says a credential is required (security requirements, none of them empty).</summary>
    public bool RequiresCredential =>
        Document is { } operation
        && operation.TryGetProperty("security", out var security)
        && security.GetArrayLength() > 0
        && security.EnumerateArray().All(requirement => requirement.EnumerateObject().Any());

    public IEnumerable<JsonElement> QueryParameters =>
        Document is { } operation && operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            : [];

    /// <summary>The JSON schema of the request body, when the operation takes JSON.</summary>
    public JsonElement? BodySchema =>
        Document is { } operation
        && operation.TryGetProperty("requestBody", out var body)
        && body.TryGetProperty("content", out var content)
        && content.TryGetProperty("application/json", out var json)
        && json.TryGetProperty("schema", out var schema)
            ? schema
            : null;

    public bool TakesBody => BodySchema is not null || (Document is null && Method is "POST" or "PUT" or "PATCH");

    public override string ToString() => $"{Method} {Path}";
}

/// <summary>
/// Everything a client can call in the running app, found at run time so that a new route (a new plugin's
/// included) is covered without touching the tests: the OpenAPI document's operations, every routed
/// endpoint the document leaves out, and the callback paths of remote sign-in handlers (which are
/// middleware, not endpoints).
/// </summary>
public sealed partial class ApiSurface
{
    private ApiSurface(JsonDocument openApi, IReadOnlyList<ApiOperation> operations, IReadOnlyList<string> undocumented, IReadOnlyList<string> callbackPaths)
    {
        OpenApi = openApi;
        Operations = operations;
        Undocumented = undocumented;
        CallbackPaths = callbackPaths;
    }

    public JsonDocument OpenApi { get; }

    public IReadOnlyList<ApiOperation> Operations { get; }

    /// <summary>Routed endpoints that are not in the OpenAPI document, as "METHOD /path (display name)".</summary>
    public IReadOnlyList<string> Undocumented { get; }

    /// <summary>Paths that remote authentication handlers (OAuth callbacks) answer before routing.</summary>
    public IReadOnlyList<string> CallbackPaths { get; }

    public JsonElement Components => OpenApi.RootElement.TryGetProperty("components", out var components) ? components : default;

    public static async Task<ApiSurface> DiscoverAsync(IServiceProvider services, HttpClient client)
    {
        var response = await client.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var operations = new List<ApiOperation>();
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => HttpMethods.IsGet(o.Name) || IsOtherMethod(o.Name)))
            {
                var method = operation.Name.ToUpperInvariant();
                documented.Add($"{method} {path.Name}");
                operations.Add(new ApiOperation(method, path.Name, operation.Value.Clone(), RouteValueKindsFromDocument(path.Name, operation.Value)));
            }
        }

        var undocumented = new List<string>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = OpenApiPath(endpoint.RoutePattern.RawText ?? "/");
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get];
            foreach (var method in methods)
            {
                if (documented.Add($"{method} {path}"))
                {
                    undocumented.Add($"{method} {path} ({endpoint.DisplayName})");
                    operations.Add(new ApiOperation(method, path, null, RouteValueKindsFromPattern(endpoint.RoutePattern.RawText ?? "/")));
                }
            }
        }

        return new ApiSurface(document, operations, undocumented, await CallbackPathsAsync(services));
    }

    /// <summary>The OpenAPI form of a route pattern: constraints and defaults dropped, no trailing slash.</summary>
    public static string OpenApiPath(string pattern)
    {
        var path = RouteParameter().Replace(pattern, match => "{" + match.Groups["name"].Value + "}");
        path = "/" + path.Trim('/');
        return path;
    }

    private static bool IsOtherMethod(string name) =>
        HttpMethods.IsPost(name) || HttpMethods.IsPut(name) || HttpMethods.IsDelete(name) || HttpMethods.IsPatch(name);

    private static Dictionary<string, string> RouteValueKindsFromDocument(string path, JsonElement operation)
    {
        var kinds = RouteParameter().Matches(path).ToDictionary(m => m.Groups["name"].Value, _ => "string", StringComparer.Ordinal);
        if (operation.TryGetProperty("parameters", out var parameters))
        {
            foreach (var parameter in parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path"))
            {
                var schema = parameter.TryGetProperty("schema", out var s) ? s : default;
                kinds[parameter.GetProperty("name").GetString()!] = KindOf(schema);
            }
        }

        return kinds;
    }

    private static Dictionary<string, string> RouteValueKindsFromPattern(string pattern) =>
        RouteParameter().Matches(pattern).ToDictionary(
            m => m.Groups["name"].Value,
            m => m.Groups["constraint"].Value switch
            {
                var c when c.Contains("guid", StringComparison.OrdinalIgnoreCase) => "uuid",
                var c when c.Contains("int", StringComparison.OrdinalIgnoreCase) => "integer",
                _ => "string",
            },
            StringComparer.Ordinal);

    private static string KindOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "string";
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "uuid")
        {
            return "uuid";
        }

        return JsonSchemas.Types(schema).Contains("integer") ? "integer" : "string";
    }

    private static async Task<IReadOnlyList<string>> CallbackPathsAsync(IServiceProvider services)
    {
        if (services.GetService<IAuthenticationSchemeProvider>() is not { } schemes)
        {
            return [];
        }

        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        var handlers = scope.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
        var paths = new List<string>();
        foreach (var scheme in await schemes.GetRequestHandlerSchemesAsync())
        {
            // Remote handlers (OAuth, OpenID Connect) expose their options, callback path included, as Options.
            var handler = await handlers.GetHandlerAsync(context, scheme.Name);
            if (handler?.GetType().GetProperty("Options")?.GetValue(handler) is RemoteAuthenticationOptions { CallbackPath.HasValue: true } options)
            {
                paths.Add(options.CallbackPath.Value!);
            }
        }

        return paths;
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(?<constraint>:[^}=?]*)?(=[^}]*)?\??\}")]
    private static partial Regex RouteParameter();
}

/// <summary>Just enough JSON Schema (as ASP.NET Core's OpenAPI writes it) to make valid and invalid bodies.</summary>
public static class JsonSchemas
{
    public static IReadOnlyList<string> Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? ["object"] : [];
        }

        return type.ValueKind == JsonValueKind.Array
            ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
            : [type.GetString()!];
    }

    public static JsonElement Resolve(JsonElement schema, JsonElement components)
    {
        if (schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } target
            && target.StartsWith("#/components/schemas/", StringComparison.Ordinal)
            && components.ValueKind == JsonValueKind.Object)
        {
            return components.GetProperty("schemas").GetProperty(target["#/components/schemas/".Length..]);
        }

        return schema;
    }

    public static IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement schema, JsonElement components)
    {
        var resolved = Resolve(schema, components);
        return resolved.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => (p.Name, Resolve(p.Value, components)))
            : [];
    }

    /// <summary>A plausible value of the schema's main type, as JSON text.</summary>
    public static string ValidJson(JsonElement schema, JsonElement components, int depth = 0)
    {
        schema = Resolve(schema, components);
        var types = Types(schema);
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        if (types.Contains("object") && depth < 3)
        {
            return "{" + string.Join(",", Properties(schema, components).Select(p => JsonSerializer.Serialize(p.Name) + ":" + ValidJson(p.Schema, components, depth + 1))) + "}";
        }

        if (types.Contains("array"))
        {
            return schema.TryGetProperty("items", out var items) ? "[" + ValidJson(items, components, depth + 1) + "]" : "[]";
        }

        if (types.Contains("integer") || types.Contains("number"))
        {
            return "1";
        }

        if (types.Contains("boolean"))
        {
            return "true";
        }

        return format switch
        {
            "uuid" => JsonSerializer.Serialize(Guid.NewGuid()),
            "date-time" => JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddDays(1)),
            _ => "\"walker\"",
        };
    }
}
