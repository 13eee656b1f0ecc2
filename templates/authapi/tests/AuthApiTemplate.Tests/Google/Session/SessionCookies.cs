using AuthApiTemplate.Auth.Google;
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Tests.Google.Session;

public static class SessionCookies
{
    /// <summary>A genuine session cookie (protected with the app's own keys) for a user id, without a sign-in.</summary>
    public static string For(ApiFactory factory, Guid userId) =>
        For(factory, new User { Id = userId, Email = "cookie@example.com", NormalizedEmail = "COOKIE@EXAMPLE.COM" });

    public static string For(ApiFactory factory, User user)
    {
        var principal = GooglePrincipal.For(user, DateTimeOffset.UtcNow, GoogleSignInMode.SessionScheme);
        var options = factory.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(GoogleSignInMode.SessionScheme);
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) }, GoogleSignInMode.SessionScheme);
        return $"{GoogleSignInMode.SessionCookie}={options.TicketDataFormat.Protect(ticket)}";
    }
}
