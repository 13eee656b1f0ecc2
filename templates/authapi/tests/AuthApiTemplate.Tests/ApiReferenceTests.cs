using System.Security.Cryptography;
using AuthApiTemplate.Tests.Infrastructure;

namespace AuthApiTemplate.Tests;

public sealed class ApiReferenceTests
{
    [Fact]
    public async Task In_Development_the_api_reference_is_served_from_the_app_over_its_openapi_document()
    {
        using var factory = new ApiFactory();
        var client = factory.CreateClient();

        var page = await client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The page's script comes from the app itself, not from a CDN.
        var script = await client.GetAsync("/scalar/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Outside_Development_there_is_no_api_reference()
    {
        using var factory = new ApiFactory
        {
            Environment = "Production",
            Settings =
            {
                ["Jwt:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["Database:MigrateOnStartup"] = "true",
            },
        };
        var client = factory.CreateClient();

        await ProblemAssert.IsProblemAsync(await client.GetAsync("/scalar/v1"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/scalar/scalar.js"), HttpStatusCode.NotFound);
        // The document itself stays: clients and generators read it in every environment.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
