using System.Text;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests.Hardening;

/// <summary>Unusual but possible requests (odd charsets, repeated fields, a null body, edge-of-calendar windows): each gets its problem answer, never a 500.</summary>
public sealed class UnusualRequestTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("charset=nonsense")]
    [InlineData("charset=\"nonsense\"")]
    [InlineData("charset=utf-7")]
    [InlineData("charset=\"utf-7\"")]
    public async Task A_charset_the_body_readers_cannot_decode_is_a_415_problem(string parameter) =>
        await ProblemAssert.IsProblemAsync(await PostItemAsync(parameter), HttpStatusCode.UnsupportedMediaType);

    [Theory]
    [InlineData("charset=\"utf-8\"")]
    [InlineData("charset=\"UTF-8\"")]
    [InlineData("charset=utf-8")]
    public async Task A_quoted_charset_means_the_same_as_the_bare_one(string parameter) =>
        Assert.Equal(HttpStatusCode.Created, (await PostItemAsync(parameter)).StatusCode);

    [Theory]
    [InlineData("""{"name":"a","name":"b"}""")]
    [InlineData("""{"name":"a","NAME":"b"}""")]
    public async Task A_body_that_names_a_field_twice_is_a_400_problem(string json)
    {
        var response = await factory.CreateApiClient().PostAsync("/items", new StringContent(json, Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_json_null_body_is_a_400_saying_a_body_is_required_not_advice_to_the_developer()
    {
        var response = await factory.CreateApiClient().PostAsync("/items", new StringContent("null", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("A JSON object body is required.", problem.GetProperty("detail").GetString());
    }

    private Task<HttpResponseMessage> PostItemAsync(string contentTypeParameter)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"name\":\"x\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; " + contentTypeParameter);
        return factory.CreateApiClient().PostAsync("/items", content);
    }

    [Fact]
    public async Task An_openapi_document_that_does_not_exist_is_a_404_problem() =>
        await ProblemAssert.IsProblemAsync(await factory.CreateClient().GetAsync("/openapi/v2.json"), HttpStatusCode.NotFound);
#if (usage)

    [Theory]
    [InlineData("/usage/stats?to=0001-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("/usage/stats?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", HttpStatusCode.BadRequest)]
    [InlineData("/usage/endpoints?to=0001-01-01T12:00:00Z", HttpStatusCode.OK)]
    [InlineData("/usage/users?from=9999-12-31T00:00:00Z&to=9999-12-31T23:59:59.9999999Z", HttpStatusCode.OK)]
    public async Task A_usage_window_at_the_edge_of_the_calendar_is_answered_not_a_500(string url, HttpStatusCode expected)
    {
        var response = await factory.CreateApiClient().GetAsync(url);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(expected, response.StatusCode);
        }
        else
        {
            await ProblemAssert.IsProblemAsync(response, expected);
        }
    }
#endif
}
