using AuthApiTemplate.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests;

public sealed class ErrorHandlingTests(ErrorHandlingTests.ThrowingApiFactory factory) : IClassFixture<ErrorHandlingTests.ThrowingApiFactory>
{
    public const string ThrowingRoute = "/test/throw";
    public const string SecretMessage = "connection to secret-host:5432 failed with password hunter2";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_with_a_trace_id_and_no_exception_text()
    {
        var response = await _client.GetAsync(ThrowingRoute);
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

    /// <summary>The app with one extra route that fails the way a bug would.</summary>
    public sealed class ThrowingApiFactory : ApiFactoryWithRoute<ThrowingRouteFilter>;

    /// <summary>Runs after the app's own pipeline, so the failure travels back through its error handling.</summary>
    public sealed class ThrowingRouteFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context =>
            {
                if (context.Request.Path == ThrowingRoute)
                {
                    throw new InvalidOperationException(SecretMessage);
                }

                // What the end of the app's pipeline answers for every other unmatched route.
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        };
    }
}
