using System.Text;
using System.Text.Json;

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>
/// One request an attacker or a broken client might send. <c>ConnectionMayDrop</c> marks oversized input
/// that the server may answer by closing the connection.
/// </summary>
public sealed record HostileRequest(string Description, HttpMethod Method, string PathAndQuery, Func<HttpContent?> Content, Action<HttpRequestMessage>? Adjust = null, bool ConnectionMayDrop = false)
{
    public HttpRequestMessage Build()
    {
        var request = new HttpRequestMessage(Method, new Uri(PathAndQuery, UriKind.Relative)) { Content = Content() };
        Adjust?.Invoke(request);
        // A server may answer oversized input early and close the connection: never reuse that one.
        request.Headers.ConnectionClose = ConnectionMayDrop ? true : null;
        // A large body is announced and held back until the server asks for it, as a careful client does,
        // so that a refusal (413) reaches the client instead of a connection reset half-way through the upload.
        request.Headers.ExpectContinue = ConnectionMayDrop && request.Content is not null ? true : null;
        return request;
    }

    public override string ToString() => $"{Method} {Truncate(PathAndQuery)} [{Description}]";

    private static string Truncate(string text) => text.Length > 120 ? text[..120] + "…" : text;
}

/// <summary>
/// Wrong JSON types, missing and extra fields, malformed and oversized bodies, bad UTF-8, path tricks,
/// hostile query values, hostile and oversized headers, and methods the route does not have, for one
/// operation. The values are generic (derived from the OpenAPI schema), so new routes get them too.
/// </summary>
public static class HostileRequests
{
    /// <summary>Over the test server's 1 MB request body limit (see <see cref="HostileInputTests"/>).</summary>
    public const int OversizedBodyBytes = 2 * 1024 * 1024;

    private const string Marker = "HOSTILE";

    private static readonly string[] RouteValues =
    [
        "not-a-guid", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwindows", "%00", "%FF%FE", "%0d%0a" + Marker, "-1", "1e309",
        new string('9', 400), "%E2%80%AE%E2%80%8B", "00000000-0000-0000-0000-000000000000",
    ];

    private static readonly string[] QueryValues =
    [
        "", "abc", "-1", "0", "2147483648", "-2147483649", "99999999999999999999999", "1e309", "NaN", "-0", "0x10",
        "%00", "%FF", "%0d%0a" + Marker, "[]", "{}", "true", new string('x', 4000),
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-13-45T25:61:61Z", "0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00",
    ];

    private static readonly string[] ExtremeDates = ["0001-01-01T00:00:00Z", "0001-01-01T12:00:00Z", "9999-12-31T00:00:00Z", "9999-12-31T23:59:59.9999999Z"];

    private static readonly string[] WrongJsonValues =
        ["123", "-1", "0", "1e400", "-1e400", "99999999999999999999999", "1.5", "\"text\"", "\"\"", "true", "[]", "{}", "null", "[null]", "[1,2]", "[{}]", "{\"a\":1}"];

    private static readonly string[] MalformedJson =
        ["{", "}", "{\"a\":", "{\"a\" 1}", "{'a':1}", "nul", "\"unterminated", "{\"a\":1,}", "[1,]", "{\"a\":01}", "{\"a\":NaN}", "\u0000", "{} {}"];

    private static readonly string[] WrongRoots = ["[]", "\"text\"", "123", "null", "true", "[{}]"];

    public static IEnumerable<HostileRequest> For(ApiOperation operation, JsonElement components)
    {
        var method = new HttpMethod(operation.Method);
        var path = ValidPath(operation);
        var validBody = ValidBody(operation, components);

        yield return new HostileRequest("valid-looking", method, path, () => Json(validBody));

        foreach (var request in RouteParameterTricks(operation, method, validBody))
        {
            yield return request;
        }

        foreach (var request in QueryTricks(operation, method, path, validBody))
        {
            yield return request;
        }

        if (operation.TakesBody)
        {
            foreach (var request in BodyTricks(operation, method, path, components))
            {
                yield return request;
            }
        }

        foreach (var request in HeaderTricks(method, path, validBody))
        {
            yield return request;
        }

        foreach (var trick in new[] { path.Replace("/", "//", StringComparison.Ordinal)[1..], path + "//", path.ToUpperInvariant(), path + "/", path + "/.", path + "%2F", "/." + path, path + ";x=1", "/%2e%2e" + path, path + "%00", path + "/%2e%2e/%2e%2e" })
        {
            yield return new HostileRequest("path trick", method, trick, () => Json(validBody));
        }
    }

    /// <summary>Methods the route does not map, including made-up ones.</summary>
    public static IEnumerable<HostileRequest> MethodConfusion(string path, IReadOnlySet<string> mappedMethods)
    {
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO" })
        {
            if (!mappedMethods.Contains(method))
            {
                yield return new HostileRequest("method the route does not have", new HttpMethod(method), path, () => method is "GET" or "HEAD" or "TRACE" ? null : Json("{}"));
            }
        }
    }

    /// <summary>A path with valid-looking route values (a random id, which the app does not know).</summary>
    public static string ValidPath(ApiOperation operation)
    {
        var path = operation.Path;
        foreach (var (name, kind) in operation.RouteValueKinds)
        {
            path = path.Replace("{" + name + "}", kind switch { "uuid" => Guid.NewGuid().ToString(), "integer" => "1", _ => "walker" }, StringComparison.Ordinal);
        }

        return path;
    }

    private static string? ValidBody(ApiOperation operation, JsonElement components) =>
        operation.BodySchema is { } schema ? JsonSchemas.ValidJson(schema, components) : null;

    private static IEnumerable<HostileRequest> RouteParameterTricks(ApiOperation operation, HttpMethod method, string? validBody)
    {
        foreach (var (name, _) in operation.RouteValueKinds)
        {
            foreach (var value in RouteValues)
            {
                var path = ValidPath(operation with { RouteValueKinds = operation.RouteValueKinds.Where(k => k.Key != name).ToDictionary() })
                    .Replace("{" + name + "}", value, StringComparison.Ordinal);
                yield return new HostileRequest($"route value {name}", method, path, () => Json(validBody));
            }
        }
    }

    private static IEnumerable<HostileRequest> QueryTricks(ApiOperation operation, HttpMethod method, string path, string? validBody)
    {
        var parameters = operation.QueryParameters.ToList();
        foreach (var parameter in parameters)
        {
            var name = parameter.GetProperty("name").GetString()!;
            foreach (var value in QueryValues)
            {
                yield return new HostileRequest($"query {name}", method, $"{path}?{name}={value}", () => Json(validBody));
            }

            yield return new HostileRequest($"query {name} twice", method, $"{path}?{name}=1&{name}=2", () => Json(validBody));
        }

        // Every combination of extreme instants for the date-time parameters (windows that leave the calendar).
        var dates = parameters
            .Where(p => p.TryGetProperty("schema", out var s) && s.TryGetProperty("format", out var f) && f.GetString() == "date-time")
            .Select(p => p.GetProperty("name").GetString()!)
            .ToList();
        var others = parameters.Select(p => p.GetProperty("name").GetString()!).Except(dates).ToList();
        if (dates.Count is > 0 and <= 3)
        {
            foreach (var combination in Combinations(dates, ExtremeDates))
            {
                foreach (var extra in new[] { "" }.Concat(others.Select(o => $"&{o}=1")).Concat(others.Select(o => $"&{o}=2147483647")))
                {
                    yield return new HostileRequest("extreme dates", method, $"{path}?{combination}{extra}", () => Json(validBody));
                }
            }
        }

        yield return new HostileRequest("unknown query", method, $"{path}?__proto__=1&constructor=x&{Marker}=%FF%0d%0a", () => Json(validBody));
        yield return new HostileRequest("api_key in query", method, $"{path}?api_key=ak_{new string('A', 49)}", () => Json(validBody));
    }

    private static IEnumerable<string> Combinations(IReadOnlyList<string> names, IReadOnlyList<string> values)
    {
        IEnumerable<string> combinations = [""];
        foreach (var name in names)
        {
            combinations = combinations.SelectMany(prefix => values.Select(value => (prefix.Length == 0 ? "" : prefix + "&") + $"{name}={value}"));
        }

        return combinations;
    }

    private static IEnumerable<HostileRequest> BodyTricks(ApiOperation operation, HttpMethod method, string path, JsonElement components)
    {
        foreach (var body in MalformedJson.Concat(WrongRoots))
        {
            yield return new HostileRequest($"body {body}", method, path, () => Json(body));
        }

        yield return new HostileRequest("empty body", method, path, () => Json(""));
        yield return new HostileRequest("no body", method, path, () => null);
        yield return new HostileRequest("missing fields", method, path, () => Json("{}"));

        var schema = operation.BodySchema;
        var properties = schema is { } s ? JsonSchemas.Properties(s, components).ToList() : [("name", default(JsonElement))];
        var valid = properties.ToDictionary(p => p.Name, p => p.Schema.ValueKind == JsonValueKind.Object ? JsonSchemas.ValidJson(p.Schema, components) : "\"walker\"");

        foreach (var (name, _) in properties)
        {
            foreach (var wrong in WrongJsonValues)
            {
                var body = ObjectJson(valid, name, wrong);
                yield return new HostileRequest($"field {name} = {wrong}", method, path, () => Json(body));
            }

            foreach (var text in new[] { new string('x', 100_000), "a\r\n" + Marker + ": forged", "\\u0000\\u0001\\u001f", "\\ud800", "\u202e\u200b\ufeff", "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --" })
            {
                var body = ObjectJson(valid, name, JsonSerializer.Serialize(text).Replace("\\\\u", "\\u", StringComparison.Ordinal));
                yield return new HostileRequest($"field {name} = text {text[..Math.Min(text.Length, 16)]}", method, path, () => Json(body));
            }
        }

        var allNull = "{" + string.Join(",", properties.Select(p => JsonSerializer.Serialize(p.Name) + ":null")) + "}";
        yield return new HostileRequest("every field null", method, path, () => Json(allNull));
        var extra = ObjectJson(valid, "__proto__", "{\"admin\":true}").TrimEnd('}') + ",\"extra\":1,\"role\":\"admin\",\"scopes\":[\"*\"],\"id\":\"" + Guid.NewGuid() + "\"}";
        yield return new HostileRequest("extra fields", method, path, () => Json(extra));
        var duplicate = ObjectJson(valid, null, null).TrimEnd('}') + (valid.Count > 0 ? "," : "") + string.Join(",", valid.Select(v => JsonSerializer.Serialize(v.Key) + ":123")) + "}";
        yield return new HostileRequest("duplicate fields", method, path, () => Json(duplicate));
        var camel = "{" + string.Join(",", valid.Select(v => JsonSerializer.Serialize(v.Key.ToUpperInvariant()) + ":" + v.Value)) + "}";
        yield return new HostileRequest("field names in another case", method, path, () => Json(camel));

        yield return new HostileRequest("deeply nested arrays", method, path, () => Json(new string('[', 10_000) + new string(']', 10_000)));
        yield return new HostileRequest("deeply nested objects", method, path, () => Json(string.Concat(Enumerable.Repeat("{\"a\":", 2_000)) + "1" + new string('}', 2_000)));
        yield return new HostileRequest("invalid UTF-8", method, path, () => Bytes([.. "{\"name\":\""u8, 0xFF, 0xFE, 0xC3, 0x28, .. "\",\"x\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8], "application/json"));
        yield return new HostileRequest("UTF-16 body", method, path, () => new StringContent(ObjectJson(valid, null, null), Encoding.Unicode, "application/json"));
        yield return new HostileRequest("byte order mark", method, path, () => Bytes([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(ObjectJson(valid, null, null))], "application/json"));
        yield return new HostileRequest("oversized body", method, path, () => Json("{\"name\":\"" + new string('x', OversizedBodyBytes) + "\"}"), ConnectionMayDrop: true);

        var validJson = ObjectJson(valid, null, null);
        foreach (var contentType in new[] { "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-32", "application/json; charset=nonsense", "application/jsonx", "*/*", "application/problem+json" })
        {
            yield return new HostileRequest($"content type {contentType}", method, path, () => Bytes(Encoding.UTF8.GetBytes(validJson), contentType));
        }

        yield return new HostileRequest("no content type", method, path, () => Bytes(Encoding.UTF8.GetBytes(validJson), null));
    }

    private static IEnumerable<HostileRequest> HeaderTricks(HttpMethod method, string path, string? validBody)
    {
        HostileRequest With(string description, Action<HttpRequestMessage> adjust, bool mayDrop = false) =>
            new(description, method, path, () => Json(validBody), adjust, mayDrop);

        foreach (var authorization in new[]
        {
            "Bearer", "Bearer ", "Bearer  ", "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.e30.", "Bearer ..", "Bearer " + new string('a', 8_000),
            "bearer x", "Basic Zm9vOmJhcg==", "Digest username=\"x\"", "ApiKey", "ApiKey ", "ApiKey ak_", "ApiKey ak_" + new string('A', 49), "Negotiate x", "x",
        })
        {
            yield return With($"Authorization: {authorization[..Math.Min(authorization.Length, 24)]}", r =>
            {
                r.Headers.Authorization = null;
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            });
        }

        yield return With("two Authorization headers", r =>
        {
            r.Headers.Authorization = null;
            r.Headers.TryAddWithoutValidation("Authorization", ["Bearer a.b.c", "Bearer d.e.f"]);
        });

        foreach (var key in new[] { "", " ", "ak_", "ak_" + new string('A', 49), "AK_" + new string('a', 49), new string('k', 5_000), "%00" })
        {
            yield return With($"X-API-Key: {key[..Math.Min(key.Length, 16)]}", r => r.Headers.TryAddWithoutValidation("X-API-Key", key));
        }

        yield return With("two X-API-Key headers", r => r.Headers.TryAddWithoutValidation("X-API-Key", ["ak_a", "ak_b"]));
        yield return With("X-API-Key and Authorization", r =>
        {
            r.Headers.TryAddWithoutValidation("X-API-Key", "ak_" + new string('A', 49));
            r.Headers.TryAddWithoutValidation("Authorization", "ApiKey ak_" + new string('B', 49));
        });
        yield return With("cookie junk", r => r.Headers.TryAddWithoutValidation("Cookie", string.Concat(Enumerable.Repeat("a=b; .AspNetCore.Cookies=junk; ", 100))));
        yield return With("forwarding headers", r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "127.0.0.1, ::1, not-an-ip");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "gopher");
        });
        yield return With("Host of another site", r => r.Headers.Host = "evil.example");
        yield return With("odd Accept", r => r.Headers.TryAddWithoutValidation("Accept", "application/json;q=abc, */*;q=-1, text/html;level=\u0001"));
        yield return With("odd Accept-Encoding and Range", r =>
        {
            r.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip;q=2, br;q=nan, identity;q=0");
            r.Headers.TryAddWithoutValidation("Range", "bytes=999999999-1");
            r.Headers.TryAddWithoutValidation("If-None-Match", "*");
            r.Headers.TryAddWithoutValidation("If-Modified-Since", "yesterday");
        });
        yield return With("User-Agent with a forged line", r => r.Headers.TryAddWithoutValidation("User-Agent", "agent %0d%0a" + Marker + " forged"));
        yield return With("a 40 KB header", r => r.Headers.TryAddWithoutValidation("X-Padding", new string('a', 40 * 1024)), mayDrop: true);
        yield return With("200 headers", r =>
        {
            for (var i = 0; i < 200; i++)
            {
                r.Headers.TryAddWithoutValidation($"X-Many-{i}", "x");
            }
        }, mayDrop: true);
    }

    private static string ObjectJson(IReadOnlyDictionary<string, string> valid, string? replace, string? with)
    {
        var fields = valid.ToDictionary(v => v.Key, v => v.Value);
        if (replace is not null)
        {
            fields[replace] = with!;
        }

        return "{" + string.Join(",", fields.Select(f => JsonSerializer.Serialize(f.Key) + ":" + f.Value)) + "}";
    }

    private static ByteArrayContent? Json(string? body) => body is null ? null : Bytes(Encoding.UTF8.GetBytes(body), "application/json");

    private static ByteArrayContent Bytes(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return content;
    }
}
