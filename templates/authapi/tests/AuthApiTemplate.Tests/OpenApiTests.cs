using System.Text.Json;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests;

public sealed class OpenApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
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
}
