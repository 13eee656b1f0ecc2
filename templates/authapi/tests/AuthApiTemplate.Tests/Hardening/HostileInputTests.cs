using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>
/// Walks every route the running app has (read from its OpenAPI document and its routing table, so new
/// routes and plugins are covered without changes here) and sends each one hostile input, anonymously and
/// with an admin's credential: every answer is below 500, every error with a body is a problem document,
/// and no body shows an exception, a stack frame or a type name. The app runs on Kestrel, whose limits
/// (header sizes, body size, request line) are part of what is tested.
/// </summary>
public sealed partial class HostileInputTests(HostileInputTests.KestrelApiFactory factory, ITestOutputHelper output)
    : IClassFixture<HostileInputTests.KestrelApiFactory>
{
    [Fact]
    public Task Anonymous_hostile_requests_to_every_route_get_4xx_problems_never_a_500() => WalkAsync(withCredential: false);

    [Fact]
    public Task Hostile_requests_with_an_admin_credential_to_every_route_get_4xx_problems_never_a_500() => WalkAsync(withCredential: true);

    [Fact]
    public async Task Every_routed_endpoint_is_in_the_openapi_document_unless_deliberately_left_out()
    {
        factory.StartServer();
        var surface = await ApiSurface.DiscoverAsync(factory.Services, factory.CreateClient());
        var endpoints = factory.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints;

        // Left out on purpose, each for a reason the endpoint itself states: health probes and the document
        // itself are infrastructure, and pages and scripts marked ExcludeFromDescription are not API operations.
        var unexplained = endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => surface.Undocumented.Any(u => u.EndsWith($"({e.DisplayName})", StringComparison.Ordinal)))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(e => e.DisplayName is not "Health checks" && e.RoutePattern.RawText?.StartsWith("/openapi/", StringComparison.Ordinal) != true)
            .Select(e => $"{e.RoutePattern.RawText} ({e.DisplayName})")
            .ToList();
        Assert.True(unexplained.Count == 0, "Routes missing from /openapi/v1.json without ExcludeFromDescription:\n" + string.Join('\n', unexplained));
        Assert.Contains(surface.Operations, o => o.Path == "/items" && o.Document is not null);
    }

    [Fact]
    public async Task Malformed_http_on_the_wire_is_refused_with_a_4xx_and_the_server_stays_up()
    {
        factory.StartServer();
        using var client = factory.CreateClient();
        var address = client.BaseAddress!;
        string[] requests =
        [
            "GET /items/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /public/hello HTTP/1.1\r\nHost: x\r\nX-API-Key: \xff\xfe\r\n\r\n",
            "GET /public/hello HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xc3\x28\r\n\r\n",
            "GET /public/hello HTTP/1.1\r\nHost: x\r\nUser-Agent: a\x00b\r\n\r\n",
            "GET /items HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
            "GET /items HTTP/1.1\nHost: x\n\n",
            "GET /items HTTP/1.1\r\n\r\n",
            "GET /items HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /items HTTP/9.9\r\nHost: x\r\n\r\n",
            "GET items HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://evil.example/items HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /items?" + new string('a', 20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n",
            "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n",
            "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
            "POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"name\":",
        ];

        var failures = new List<string>();
        foreach (var raw in requests)
        {
            var statusLine = await SendRawAsync(address, Encoding.Latin1.GetBytes(raw));
            var status = StatusLine().Match(statusLine) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            // 505 is Kestrel's answer to an HTTP version it does not speak, before the app sees anything.
            if (status is 0 or >= 500 && !(status == 505 && raw.Contains("HTTP/9.9", StringComparison.Ordinal)))
            {
                failures.Add($"{Escape(raw)} → {(status == 0 ? "no HTTP answer" : statusLine)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    private async Task WalkAsync(bool withCredential)
    {
        factory.StartServer();
        using var discovery = factory.CreateClient();
        var surface = await ApiSurface.DiscoverAsync(factory.Services, discovery);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        var sent = 0;

        async Task SendAsync(HttpClient client, HostileRequest request, ApiOperation? operation)
        {
            sent++;
            var failure = await CheckAsync(client, request, operation, anonymous: !withCredential, statuses);
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        foreach (var operation in surface.Operations)
        {
            // A fresh credential per operation: logout and logout-all revoke the one they are called with.
            using var client = NewClient(withCredential);
            foreach (var request in HostileRequests.For(operation, surface.Components))
            {
                await SendAsync(client, request, operation);
            }
        }

        foreach (var route in surface.Operations.GroupBy(o => o.Path))
        {
            using var client = NewClient(withCredential);
            var mapped = route.Select(o => o.Method).ToHashSet(StringComparer.Ordinal);
            foreach (var request in HostileRequests.MethodConfusion(HostileRequests.ValidPath(route.First()), mapped))
            {
                await SendAsync(client, request, null);
            }
        }

        // OAuth callbacks are answered by their authentication handler before routing: forged, replayed or
        // missing state, a provider error, junk codes.
        foreach (var callback in surface.CallbackPaths)
        {
            using var client = NewClient(withCredential);
            foreach (var query in new[] { "", "?code=x", "?state=x", "?code=x&state=x", "?error=access_denied&state=x", "?error=%0d%0aforged", "?code=x&state=" + new string('A', 4000), "?state=%FF&code=%00" })
            {
                await SendAsync(client, new HostileRequest("sign-in callback", HttpMethod.Get, callback + query, () => null), null);
                await SendAsync(client, new HostileRequest("sign-in callback", HttpMethod.Post, callback, () => new StringContent(query.TrimStart('?'), Encoding.UTF8, "application/x-www-form-urlencoded")), null);
            }
        }

        output.WriteLine($"{sent} requests over {surface.Operations.Count} operations ({surface.Operations.Count(o => o.Document is null)} undocumented), {surface.CallbackPaths.Count} callback paths; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} hostile requests were answered badly:\n" + string.Join('\n', failures.Take(60)));
        Assert.True(sent >= surface.Operations.Count * 30, $"Only {sent} requests were sent.");
        if (withCredential && surface.Operations.Any(o => o.BodySchema is not null))
        {
            Assert.True(statuses.ContainsKey(413), "No oversized body reached the body size limit (413).");
        }

        Assert.Equal(HttpStatusCode.OK, (await discovery.GetAsync("/health/live")).StatusCode);
    }

    /// <summary>
    /// A client of the Kestrel server that follows no redirect (a sign-in route sending the browser to its
    /// identity provider is an answer to check, not to follow), with an admin's credential as
    /// <see cref="ApiFactory.CreateApiClient"/> gives one when asked.
    /// </summary>
    private HttpClient NewClient(bool withCredential)
    {
        HttpMessageHandler handler = new SocketsHttpHandler { AllowAutoRedirect = false };
#if (jwtPlugin)
        DelegatingHandler? credential = withCredential ? new SignedInUserHandler(factory) : null;
#elif (apikeys)
        DelegatingHandler? credential = withCredential ? new ApiKeys.ApiKeyClientHandler(factory) : null;
#else
        DelegatingHandler? credential = null;
        _ = withCredential;
#endif
        if (credential is not null)
        {
            credential.InnerHandler = handler;
            handler = credential;
        }

        using var discovery = factory.CreateClient();
        return new HttpClient(handler) { BaseAddress = discovery.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<string?> CheckAsync(HttpClient client, HostileRequest hostile, ApiOperation? operation, bool anonymous, SortedDictionary<int, int> statuses)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(hostile.Build());
        }
        catch (HttpRequestException) when (hostile.ConnectionMayDrop)
        {
            return null;
        }
        catch (HttpRequestException exception)
        {
            return $"{hostile}: the connection failed ({exception.Message})";
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status >= 500)
            {
                return $"{hostile}: {status} {Excerpt(body)}";
            }

            // Pages left out of the API description (a sign-in popup) answer a person, in HTML; API operations answer problems.
            var isPage = operation is { Document: null } && mediaType == "text/html";
            if (status >= 400 && body.Length > 0 && mediaType != "application/problem+json" && !isPage)
            {
                return $"{hostile}: {status} with {mediaType ?? "no content type"} instead of a problem: {Excerpt(body)}";
            }

            if (status >= 400 && Leak().Match(body) is { Success: true } leak)
            {
                return $"{hostile}: {status} body shows internals ('{leak.Value}'): {Excerpt(body)}";
            }

            if (status >= 400 && body.Contains(typeof(Program).Assembly.GetName().Name + ".", StringComparison.Ordinal))
            {
                return $"{hostile}: {status} body names the app's own types: {Excerpt(body)}";
            }

            if (anonymous && operation is { RequiresCredential: true } && status is >= 200 and < 300 && hostile.Description != "path trick")
            {
                return $"{hostile}: {status} without a credential on an operation that requires one";
            }

            return null;
        }
    }

    private static async Task<string> SendRawAsync(Uri address, byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 10_000;
        await stream.WriteAsync(request);
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.Latin1.GetString(buffer, 0, read).Split("\r\n")[0];
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException)
        {
            return "";
        }
    }

    private static string Excerpt(string body) => body.Length > 300 ? body[..300] + "…" : body;

    private static string Escape(string raw)
    {
        var text = raw.Length > 80 ? raw[..80] + "…" : raw;
        return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>Exception type names, stack frames and framework namespaces: what a leaked exception looks like.</summary>
    [GeneratedRegex(@"\w*Exception\b|\bat [A-Za-z_][\w.`<>]*\.[\w<>`]+\(|\b(System|Microsoft)\.[A-Z][A-Za-z]+\.|\bIDX\d{5}\b|SQLite Error|stack ?trace", RegexOptions.IgnoreCase)]
    private static partial Regex Leak();

    [GeneratedRegex(@"^HTTP/\d\.\d (\d{3})")]
    private static partial Regex StatusLine();

    /// <summary>The app on Kestrel with limits high enough for a walk and a 1 MB body limit to reach cheaply.</summary>
    public sealed class KestrelApiFactory : ApiFactory
    {
        public KestrelApiFactory()
        {
            Settings["RateLimiting:Global:PermitLimit"] = "1000000";
            Settings["RateLimiting:Login:PermitLimit"] = "100000";
            Settings["ApiKeys:DefaultPermitsPerMinute"] = "1000000";
            Settings["ApiKeys:FailedAttemptsPerMinute"] = "10000";
            UseKestrel(0);
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);
        }
    }
}
