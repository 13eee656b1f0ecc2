using AuthApiTemplate.Auth;
using AuthApiTemplate.Tests.Infrastructure;
#if (jwtPlugin)
using AuthApiTemplate.Tests.Jwt;
#endif
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AuthApiTemplate.Tests.ApiKeys;

/// <summary>[RequireScope] (for controllers) guards an endpoint exactly as .RequireScope() does.</summary>
public sealed class RequireScopeAttributeTests(RequireScopeAttributeTests.AttributeApiFactory factory) : IClassFixture<RequireScopeAttributeTests.AttributeApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_key_needs_the_scope_and_anonymous_callers_are_challenged()
    {
        var writer = await factory.CreateKeyAsync(["items:write"]);
        var other = await factory.CreateKeyAsync(["items:read"]);

        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithKeyAsync(AttributeApiFactory.Route, writer.Secret)).StatusCode);
        await ProblemAssert.IsProblemAsync(await _client.GetWithKeyAsync(AttributeApiFactory.Route, other.Secret), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await _client.GetAsync(AttributeApiFactory.Route), HttpStatusCode.Unauthorized);
#if (jwtPlugin)
        // A signed-in user passes, as with .RequireScope(scope, SignedInUserAccess.AnyUser).
        var (_, user) = await factory.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.GetWithTokenAsync(AttributeApiFactory.Route, user.AccessToken)).StatusCode);
#endif
    }

    [Fact]
    public void A_malformed_scope_fails_where_the_attribute_is_made()
    {
        Assert.Throws<ArgumentException>(() => new RequireScopeAttribute("items:*"));
    }

    /// <summary>The app with one more endpoint, guarded by the attribute alone.</summary>
    public sealed class AttributeApiFactory : ApiFactoryWithRoute<ReportsEndpoint>
    {
        public const string Route = "/test/reports";
    }

    /// <summary>After the app's pipeline, which has authenticated the caller: its own routing and authorization.</summary>
    public sealed class ReportsEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseAuthorization();
            app.UseEndpoints(endpoints => endpoints.MapGet(AttributeApiFactory.Route, () => "report")
                .WithMetadata(new RequireScopeAttribute("items:write")));
        };
    }
}
