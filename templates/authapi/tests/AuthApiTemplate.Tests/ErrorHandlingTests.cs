using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests;

public sealed class ErrorHandlingTests(ErrorHandlingTests.ThrowingApiFactory factory) : IClassFixture<ErrorHandlingTests.ThrowingApiFactory>
{
    public const string SecretMessage = "connection to secret-host:5432 failed with password hunter2";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_with_a_trace_id_and_no_exception_text()
    {
        var response = await _client.PostAsJsonAsync("/items", new { name = "boom" });
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError);
        var body = problem.ToString();
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem() =>
        await ProblemAssert.IsProblemAsync(await _client.GetAsync("/no/such/route"), HttpStatusCode.NotFound);

    [Fact]
    public async Task A_wrong_method_is_a_405_problem_that_lists_the_allowed_ones()
    {
        var response = await _client.PatchAsync("/items", new StringContent("{}"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    /// <summary>The app with a dependency that fails the way a bug would, on POST /items.</summary>
    public sealed class ThrowingApiFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider, ThrowingTimeProvider>());
        }
    }

    private sealed class ThrowingTimeProvider : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException(SecretMessage);
    }
}
