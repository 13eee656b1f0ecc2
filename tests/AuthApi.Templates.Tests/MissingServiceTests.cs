using AuthApi.Templates.Tests.Infrastructure;

namespace AuthApi.Templates.Tests;

/// <summary>
/// A scaffolded PostgreSQL or Redis app's tests, run where the service is not: they fail with one line that
/// names the service and the variable to set, not with a client's connect timeout.
/// </summary>
[Collection(TemplatePackCollection.Name)]
public sealed class MissingServiceTests(TemplatePackFixture fixture)
{
    /// <summary>A port nothing listens on: the connection is refused at once.</summary>
    private const int ClosedPort = 1;

    [Theory]
    [InlineData("apikeys-only", "AUTHAPI_TEST_POSTGRES", "PostgreSQL")]
    [InlineData("usage-redis", "AUTHAPI_TEST_REDIS", "Redis")]
    public async Task Without_the_service_the_tests_fail_naming_it_and_its_variable(string variant, string variable, string service)
    {
        var app = await fixture.GetAppAsync(Variants.ById(variant));
        var pointsNowhere = variable == "AUTHAPI_TEST_POSTGRES"
            ? $"Host=127.0.0.1;Port={ClosedPort};Username=authapi;Password=authapi;Database=postgres"
            : $"127.0.0.1:{ClosedPort}";

        var result = await fixture.Cli.RunAsync(
            ["test", app.SolutionFile, "-c", "Release", "--no-build", "--filter", "FullyQualifiedName~HealthTests"],
            app.Directory, new Dictionary<string, string?> { [variable] = pointsNowhere }, TimeSpan.FromMinutes(5));

        Assert.False(result.Succeeded, result.Describe("The tests passed without their service."));
        Assert.Contains($"{service} is not reachable at 127.0.0.1:{ClosedPort} ({variable}). Start it (README: Test) or point {variable} at one that runs.", result.Output, StringComparison.Ordinal);
    }
}
