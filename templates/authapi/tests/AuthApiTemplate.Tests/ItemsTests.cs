using System.Text;
using System.Text.Json;
using AuthApiTemplate.Items;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests;

public sealed class ItemsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateApiClient();

    [Fact]
    public async Task An_item_can_be_created_read_listed_updated_and_deleted()
    {
        var created = await _client.PostAsJsonAsync("/items", new ItemRequest("  Widget  ", "A small part"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var item = await created.Content.ReadFromJsonAsync<ItemResponse>();
        Assert.NotNull(item);
        Assert.Equal("Widget", item.Name);
        Assert.Equal("A small part", item.Description);
        Assert.Equal($"/items/{item.Id}", created.Headers.Location?.OriginalString);
        Assert.True(DateTimeOffset.UtcNow - item.CreatedAt < TimeSpan.FromMinutes(1));

        var fetched = await _client.GetFromJsonAsync<ItemResponse>($"/items/{item.Id}");
        Assert.Equal(item, fetched);

        var listed = await _client.GetFromJsonAsync<List<ItemResponse>>("/items?limit=100");
        Assert.Contains(item, listed!);

        var updated = await _client.PutAsJsonAsync($"/items/{item.Id}", new ItemRequest("Gadget", null));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var afterUpdate = await _client.GetFromJsonAsync<ItemResponse>($"/items/{item.Id}");
        Assert.Equal(item with { Name = "Gadget", Description = null }, afterUpdate);

        var deleted = await _client.DeleteAsync($"/items/{item.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ProblemAssert.IsProblemAsync(await _client.GetAsync($"/items/{item.Id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_item_json_has_exactly_the_documented_fields()
    {
        var created = await _client.PostAsJsonAsync("/items", new { name = "Shape" });
        using var json = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["createdAt", "description", "id", "name"], names);
    }

    [Fact]
    public async Task Listing_pages_in_creation_order()
    {
        var names = Enumerable.Range(0, 5).Select(i => $"page-{Guid.NewGuid():N}-{i}").ToList();
        foreach (var name in names)
        {
            (await _client.PostAsJsonAsync("/items", new ItemRequest(name, null))).EnsureSuccessStatusCode();
        }

        var all = await _client.GetFromJsonAsync<List<ItemResponse>>("/items?limit=100");
        var ours = all!.Where(i => names.Contains(i.Name)).Select(i => i.Name).ToList();
        Assert.Equal(names, ours);

        var firstTwo = await _client.GetFromJsonAsync<List<ItemResponse>>("/items?offset=0&limit=2");
        Assert.Equal(2, firstTwo!.Count);
    }

    [Fact]
    public async Task Items_created_within_one_millisecond_list_in_creation_order()
    {
        using var app = new ApiFactory();
        var client = app.CreateApiClient();
        // The start of the next millisecond: after the test client's credential was issued.
        var now = app.Clock.GetUtcNow();
        var instant = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero).AddMilliseconds(1);
        var names = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            // 2 µs apart (PostgreSQL keeps microseconds): one millisecond holds all of them.
            app.Clock.SetUtcNow(instant.AddTicks(20 * i));
            names.Add($"same-millisecond-{i}");
            (await client.PostAsJsonAsync("/items", new ItemRequest(names[^1], null))).EnsureSuccessStatusCode();
        }

        var listed = await client.GetFromJsonAsync<List<ItemResponse>>("/items?limit=100");
        Assert.Equal(names, listed!.Select(i => i.Name).Where(names.Contains));
        Assert.All(listed!, item => Assert.Equal(instant.ToUnixTimeMilliseconds(), item.CreatedAt.ToUnixTimeMilliseconds()));
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"   "}""", "name")]
    [InlineData("""{"name":null}""", "name")]
    [InlineData("""{"name":"ok","description":"DESCRIPTION_TOO_LONG"}""", "description")]
    [InlineData("""{"name":"NAME_TOO_LONG"}""", "name")]
    public async Task Invalid_items_are_rejected_with_a_validation_problem(string json, string field)
    {
        json = json.Replace("NAME_TOO_LONG", new string('n', Item.NameMaxLength + 1), StringComparison.Ordinal)
            .Replace("DESCRIPTION_TOO_LONG", new string('d', Item.DescriptionMaxLength + 1), StringComparison.Ordinal);

        foreach (var response in new[]
        {
            await _client.PostAsync("/items", Json(json)),
            await _client.PutAsync($"/items/{Guid.CreateVersion7()}", Json(json)),
        })
        {
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task A_name_of_exactly_200_characters_is_accepted()
    {
        var response = await _client.PostAsJsonAsync("/items", new ItemRequest(new string('n', Item.NameMaxLength), null));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":5}""")]
    [InlineData("""{"name":["a"]}""")]
    [InlineData("""{"name":"unterminated""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("not json at all")]
    public async Task Malformed_bodies_are_a_bad_request_problem_not_a_server_error(string body)
    {
        var problem = await ProblemAssert.IsProblemAsync(await _client.PostAsync("/items", Json(body)), HttpStatusCode.BadRequest);
        Assert.Contains("request body", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_as_unsupported_media_type()
    {
        var response = await _client.PostAsync("/items", new StringContent("name=x", Encoding.UTF8, "text/plain"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("/items?limit=0")]
    [InlineData("/items?limit=101")]
    [InlineData("/items?offset=-1")]
    [InlineData("/items?limit=abc")]
    public async Task Out_of_range_paging_is_a_bad_request_problem(string url) =>
        await ProblemAssert.IsProblemAsync(await _client.GetAsync(url), HttpStatusCode.BadRequest);

    [Fact]
    public async Task Unknown_items_are_a_not_found_problem()
    {
        var id = Guid.CreateVersion7();
        await ProblemAssert.IsProblemAsync(await _client.GetAsync($"/items/{id}"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await _client.PutAsJsonAsync($"/items/{id}", new ItemRequest("x", null)), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await _client.DeleteAsync($"/items/{id}"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await _client.GetAsync("/items/not-a-guid"), HttpStatusCode.NotFound);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
