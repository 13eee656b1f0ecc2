using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests;

public sealed partial class OpenApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_document_describes_every_items_operation()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.GetProperty("/items").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/items").TryGetProperty("post", out _));
        var byId = paths.GetProperty("/items/{id}");
        foreach (var method in new[] { "get", "put", "delete" })
        {
            Assert.True(byId.TryGetProperty(method, out _), $"/items/{{id}} has no {method}");
        }

        var item = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ItemRequest");
        Assert.Contains("name", item.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_document_is_generated_once_and_names_no_host_a_client_sent()
    {
        using var counted = new GenerationCountingFactory();
        var client = counted.CreateClient();

        // The request that generates the document claims another host in its Host header.
        using var claimingAnotherHost = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        claimingAnotherHost.Headers.Host = "evil.example";
        var first = await client.SendAsync(claimingAnotherHost);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/json", first.Content.Headers.ContentType?.MediaType);
        var firstBytes = await first.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain("evil.example", Encoding.UTF8.GetString(firstBytes), StringComparison.OrdinalIgnoreCase);

        var second = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(firstBytes, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, counted.Generations);

        using var document = JsonDocument.Parse(firstBytes);
        var server = Assert.Single(document.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal("/", server.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Concurrent_first_requests_share_one_generation()
    {
        using var counted = new GenerationCountingFactory();
        var client = counted.CreateClient();

        var bodies = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetByteArrayAsync("/openapi/v1.json")));

        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        Assert.Equal(1, counted.Generations);
    }

    [Fact]
    public async Task A_client_that_has_the_document_gets_304_without_a_body()
    {
        var client = factory.CreateClient();
        var first = await client.GetAsync("/openapi/v1.json");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var revalidation = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        revalidation.Headers.IfNoneMatch.Add(etag);
        var notModified = await client.SendAsync(revalidation);

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-document\""));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task The_server_is_the_configured_server_url()
    {
        using var configured = new ApiFactory();
        configured.Settings["OpenApi:ServerUrl"] = "https://api.example.com/v1";

        var response = await configured.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var server = Assert.Single(document.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal("https://api.example.com/v1", server.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("/v1")]
    [InlineData("ftp://api.example.com")]
    [InlineData("https://api.example.com/?tenant=1")]
    [InlineData("https://admin@api.example.com")]
    [InlineData(" https://api.example.com")]
    public void A_server_url_that_is_not_an_absolute_http_url_stops_the_app_and_names_the_setting(string value)
    {
        using var misconfigured = new ApiFactory();
        misconfigured.Settings["OpenApi:ServerUrl"] = value;

        var exception = Assert.Throws<OptionsValidationException>(() => misconfigured.CreateClient());
        Assert.Contains("OpenApi:ServerUrl", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>The app, counting how often its OpenAPI document is generated (each generation runs every document transformer).</summary>
    private sealed class GenerationCountingFactory : ApiFactory
    {
        private int _generations;

        public int Generations => Volatile.Read(ref _generations);

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.ConfigureAll<OpenApiOptions>(options => options.AddDocumentTransformer((_, _, _) =>
            {
                Interlocked.Increment(ref _generations);
                return Task.CompletedTask;
            })));
        }
    }

    [Fact]
    public async Task Every_description_reads_the_same_once_rendered_as_markdown()
    {
        // Descriptions are CommonMark: outside a code span, "<token>" is an HTML tag that the API reference drops.
        using var document = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));

        // An XML doc comment's escapes (&lt;id&gt;) reach the document as they are, and a code span shows them literally.
        var hidden = Descriptions(document.RootElement)
            .Where(description => HtmlTag().IsMatch(CodeSpan().Replace(description, string.Empty)) || XmlEscape().IsMatch(description))
            .ToList();

        Assert.True(hidden.Count == 0, "Descriptions with text a Markdown renderer takes for HTML:\n" + string.Join('\n', hidden));
    }

    private static IEnumerable<string> Descriptions(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(property =>
            property is { Name: "description", Value.ValueKind: JsonValueKind.String } ? [property.Value.GetString()!] : Descriptions(property.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Descriptions),
        _ => [],
    };

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("</?[A-Za-z][^>]*>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex("&(lt|gt|amp|quot|apos);")]
    private static partial Regex XmlEscape();
}
