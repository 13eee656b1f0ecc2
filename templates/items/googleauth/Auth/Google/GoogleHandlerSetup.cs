using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Google;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth.Google;

/// <summary>
/// Microsoft's Google handler, configured from <see cref="GoogleSignInOptions"/>: PKCE, our endpoints,
/// our HttpClient, and events that turn Google's answer into one of our users or into a clean error.
/// </summary>
internal sealed class GoogleHandlerSetup(
    IOptions<GoogleSignInOptions> signIn,
    IHttpClientFactory clients,
    IGoogleSignInCompletion completion,
    TimeProvider time) : IConfigureNamedOptions<GoogleOptions>
{
    // Microsoft's handler refuses to start without a client id and secret; until real ones are configured
    // the login routes answer 503 before ever challenging, so these values never reach Google.
    private const string NotConfigured = "not-configured";

    public void Configure(GoogleOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, GoogleOptions options)
    {
        if (name != GoogleDefaults.AuthenticationScheme)
        {
            return;
        }

        var settings = signIn.Value;
        options.ClientId = settings.IsConfigured ? settings.ClientId : NotConfigured;
        options.ClientSecret = settings.IsConfigured ? settings.ClientSecret : NotConfigured;
        options.AuthorizationEndpoint = settings.AuthorizationEndpoint;
        options.TokenEndpoint = settings.TokenEndpoint;
        options.UserInformationEndpoint = settings.UserInformationEndpoint;
        options.UsePkce = true;
        options.SaveTokens = false;
        options.SignInScheme = completion.SignInScheme;
        options.Backchannel = clients.CreateClient(GoogleAuthDefaults.HttpClientName);
        options.ClaimActions.Clear();

        options.Events = new OAuthEvents
        {
            OnRedirectToAuthorizationEndpoint = RedirectToGoogle,
            OnCreatingTicket = ReadGoogleAccount,
            OnTicketReceived = SignInUserAsync,
            OnRemoteFailure = FailAsync,
        };
    }

    private Task RedirectToGoogle(RedirectContext<OAuthOptions> context)
    {
        var redirect = context.RedirectUri;
        if (signIn.Value.HostedDomain is { Length: > 0 } domain)
        {
            // Only a hint for Google's account chooser; the hd claim is what is enforced.
            redirect = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(redirect, "hd", domain);
        }

        GoogleSignInResponses.NoStore(context.Response);
        context.Response.Redirect(redirect);
        return Task.CompletedTask;
    }

    /// <summary>Keeps what we need from Google's userinfo answer (v3/OIDC or legacy v2 field names).</summary>
    private static Task ReadGoogleAccount(OAuthCreatingTicketContext context)
    {
        var user = context.User;
        var identity = context.Identity!;
        if ((Text(user, "sub") ?? Text(user, "id")) is { Length: > 0 } subject)
        {
            identity.AddClaim(new(GoogleClaims.Subject, subject));
        }

        if (Text(user, "email") is { Length: > 0 } email)
        {
            identity.AddClaim(new(GoogleClaims.Email, email));
        }

        identity.AddClaim(new(GoogleClaims.EmailVerified, IsTrue(user, "email_verified") || IsTrue(user, "verified_email") ? "true" : "false"));
        if (Text(user, "hd") is { Length: > 0 } hostedDomain)
        {
            identity.AddClaim(new(GoogleClaims.HostedDomain, hostedDomain));
        }

        if (Text(user, "name") is { Length: > 0 } displayName)
        {
            identity.AddClaim(new(GoogleClaims.Name, displayName));
        }

        return Task.CompletedTask;
    }

    private async Task SignInUserAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        GoogleSignInResponses.NoStore(http.Response);
        var identity = GoogleClaims.ToIdentity(context.Principal);
        if (identity is null)
        {
            GoogleSignInLog.Refused(http, GoogleAuthDefaults.SignInFailed);
            await GoogleSignInResponses.FailAsync(http, GoogleAuthDefaults.SignInFailed, "Google did not identify the account.", StatusCodes.Status400BadRequest);
            context.HandleResponse();
            return;
        }

        var accounts = http.RequestServices.GetRequiredService<GoogleAccounts>();
        var (user, refusal) = await accounts.SignInAsync(identity, http.RequestAborted);
        if (user is null)
        {
            var reason = refusal ?? GoogleSignInRefusal.AccountConflict;
            GoogleSignInLog.Refused(http, reason.Code());
            await GoogleSignInResponses.FailAsync(http, reason.Code(), reason.Describe(), StatusCodes.Status403Forbidden);
            context.HandleResponse();
            return;
        }

        context.Principal = GooglePrincipal.For(user, time.GetUtcNow(), completion.SignInScheme);
    }

    private static async Task FailAsync(RemoteFailureContext context)
    {
        // Never echo Google's (or an attacker's) error text: map it to one of three fixed codes.
        var message = context.Failure?.Message ?? "";
        var code = message.Contains("access_denied", StringComparison.Ordinal) || message.Contains("Access was denied", StringComparison.Ordinal)
            ? GoogleAuthDefaults.AccessDenied
            : message.Contains("state", StringComparison.OrdinalIgnoreCase) || message.Contains("Correlation", StringComparison.Ordinal)
                ? GoogleAuthDefaults.InvalidState
                : GoogleAuthDefaults.SignInFailed;
        var detail = code switch
        {
            GoogleAuthDefaults.AccessDenied => "Google sign-in was cancelled or denied.",
            GoogleAuthDefaults.InvalidState => "The sign-in request is missing, expired or was started in another browser. Start again.",
            _ => "Google sign-in could not be completed.",
        };
        GoogleSignInLog.Refused(context.HttpContext, code);
        GoogleSignInResponses.NoStore(context.Response);
        await GoogleSignInResponses.FailAsync(context.HttpContext, code, detail, StatusCodes.Status400BadRequest);
        context.HandleResponse();
    }

    private static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool IsTrue(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value)
        && (value.ValueKind == JsonValueKind.True
            || (value.ValueKind == JsonValueKind.String && string.Equals(value.GetString(), "true", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>The claims of the short-lived Google identity between Google's answer and our user lookup.</summary>
internal static class GoogleClaims
{
    public const string Subject = "google:sub";
    public const string Email = "google:email";
    public const string EmailVerified = "google:email_verified";
    public const string HostedDomain = "google:hd";
    public const string Name = "google:name";

    public static GoogleIdentity? ToIdentity(System.Security.Claims.ClaimsPrincipal? principal) =>
        principal?.FindFirst(Subject)?.Value is { Length: > 0 } subject
            ? new GoogleIdentity(
                subject,
                principal.FindFirst(Email)?.Value,
                principal.FindFirst(EmailVerified)?.Value == "true",
                principal.FindFirst(HostedDomain)?.Value,
                principal.FindFirst(Name)?.Value)
            : null;
}
