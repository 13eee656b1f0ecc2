namespace AuthApiTemplate.Tests.Usage;

public sealed class UsageAuthorizationTests(UsageApiFactory factory) : IClassFixture<UsageApiFactory>
{
    public static TheoryData<string> ReadRoutes => ["/usage/stats", "/usage/endpoints", "/usage/errors", "/usage/users", "/usage/realtime"];

#if (anyAuth)
    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public async Task Analytics_routes_need_admin_or_the_usage_read_scope(string route)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient().As("user-1").GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient().As("apikey:k1", scopes: "items:read").GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().As("apikey:k2", scopes: "usage:read").GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().As("apikey:k3", scopes: "usage:*").GetAsync(route)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().Admin().GetAsync(route)).StatusCode);
    }

    [Fact]
    public async Task Cleanup_needs_the_admin_role()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().PostAsync("/usage/cleanup", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient().As("apikey:k2", scopes: "usage:read").PostAsync("/usage/cleanup", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.CreateClient().As("user-1").PostAsync("/usage/cleanup", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().Admin().PostAsync("/usage/cleanup", null)).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_page_is_public_because_it_holds_no_data()
    {
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/usage/dashboard")).StatusCode);
    }
#else
    [Theory]
    [MemberData(nameof(ReadRoutes))]
    public async Task Without_an_authentication_plugin_the_analytics_routes_are_open(string route)
    {
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync(route)).StatusCode);
    }
#endif
}
