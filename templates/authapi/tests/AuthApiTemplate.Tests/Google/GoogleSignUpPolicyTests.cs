using System.Text.Json;
using AuthApiTemplate.Auth.Google;
#if (googleJwt)
using AuthApiTemplate.Auth.Jwt;
#endif
using AuthApiTemplate.Tests.Infrastructure;
using AuthApiTemplate.Users;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApiTemplate.Tests.Google;

/// <summary>
/// Sign-up (a Google sign-in that creates a user) limited by <c>AllowedDomains</c> and <c>AllowedEmails</c>,
/// the roles <c>DefaultRoles</c> gives the new user, and the validation of the three settings.
/// </summary>
public sealed class GoogleSignUpPolicyTests : IDisposable
{
    private const string Company = "corp.example";
    private const string Contractor = "Contractor.Person@Partner.example";

    // Only the company's accounts, Gmail addresses and one outside address may sign up.
    private readonly ApiFactory _factory = new()
    {
        Settings =
        {
            ["Authentication:Google:AllowedDomains:0"] = Company,
            ["Authentication:Google:AllowedDomains:1"] = "gmail.com",
            ["Authentication:Google:AllowedEmails:0"] = Contractor,
        },
    };

    [Theory]
    // Any other address with no Workspace.
    [InlineData("someone@example.com", null)]
    // Another Workspace, whatever its users' addresses look like.
    [InlineData("someone@other.example", "other.example")]
    // A consumer Google account made on a company address: Google verified it once, it does not vouch for it.
    [InlineData("someone@" + Company, null)]
    // A Gmail-looking domain is not Gmail.
    [InlineData("someone@gmail.com.evil.example", "evil.example")]
    // Another address at the contractor's domain: only the exact address is allowed.
    [InlineData("someone@partner.example", null)]
    public async Task An_ID_token_of_a_new_account_outside_the_lists_is_a_403_signup_not_allowed_and_creates_no_user(string email, string? hostedDomain)
    {
        var account = GoogleTestKit.NewAccount(hostedDomain: hostedDomain, email: email);
        using var browser = _factory.CreateBrowser();

        var response = await SignInWithIdTokenAsync(_factory, browser, account);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal("signup_not_allowed", problem.GetProperty("error").GetString());
        Assert.Null(response.SetCookie("__Host-session"));
        await AssertNoUserAsync(_factory, account);
    }

    [Fact]
    public async Task The_redirect_flow_refuses_a_new_account_outside_the_lists_with_signup_not_allowed_and_creates_no_user()
    {
        var account = GoogleTestKit.NewAccount(email: "outsider@example.com");
        using var browser = _factory.CreateBrowser();

        var callback = await browser.SignInThroughGoogleAsync(_factory, account);

        var problem = await ProblemAssert.IsProblemAsync(callback, HttpStatusCode.Forbidden);
        Assert.Equal("signup_not_allowed", problem.GetProperty("error").GetString());
        Assert.Null(callback.SetCookie("__Host-session"));
        Assert.Null(callback.SetCookie("__Host-google-handoff"));
        await AssertNoUserAsync(_factory, account);
    }

    [Fact]
    public async Task A_browser_refused_sign_up_in_the_redirect_flow_is_sent_to_the_login_page_with_the_code()
    {
        var account = GoogleTestKit.NewAccount(email: "outsider@example.com");
        using var browser = _factory.CreateBrowser();
        var authorize = await browser.StartLoginAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/signin-google" + _factory.GoogleServer.Approve(authorize, account));
        request.Headers.Accept.ParseAdd("text/html");

        var callback = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/login.html?error=signup_not_allowed", callback.Headers.Location?.OriginalString);
        Assert.Null(callback.SetCookie("__Host-session"));
        Assert.Null(callback.SetCookie("__Host-google-handoff"));
        await AssertNoUserAsync(_factory, account);
    }

    [Theory]
    // A company Workspace account, on the company's address...
    [InlineData("member@" + Company, Company)]
    // ...or on another of the Workspace's domains: the hd claim is what counts.
    [InlineData("member@corp-mail.example", Company)]
    // Domains match case-insensitively.
    [InlineData("member@CORP.example", "Corp.Example")]
    // A Gmail address, for which Google is the authority.
    [InlineData("member@gmail.com", null)]
    // The exact allowed address, in another case.
    [InlineData("contractor.person@partner.example", null)]
    public async Task An_ID_token_of_an_account_in_the_lists_signs_up_while_an_outsider_does_not(string email, string? hostedDomain)
    {
        var member = GoogleTestKit.NewAccount(hostedDomain: hostedDomain, email: email);
        var outsider = GoogleTestKit.NewAccount(email: "outsider@example.com");
        using var browser = _factory.CreateBrowser();
        using var outsiderBrowser = _factory.CreateBrowser();

        var signedUp = await SignInWithIdTokenAsync(_factory, browser, member);
        var refused = await SignInWithIdTokenAsync(_factory, outsiderBrowser, outsider);

        Assert.True(signedUp.StatusCode == HttpStatusCode.OK, await signedUp.Content.ReadAsStringAsync());
        var user = await _factory.FindUserByEmailAsync(member.Email);
        Assert.Equal(member.Subject, user?.GoogleSubject);
        Assert.Empty(user!.Roles);
        Assert.Equal("signup_not_allowed", (await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden)).GetProperty("error").GetString());
        await AssertNoUserAsync(_factory, outsider);
    }

    [Fact]
    public async Task The_redirect_flow_signs_up_an_account_of_an_allowed_Workspace_domain_and_refuses_an_outsider()
    {
        var member = GoogleTestKit.NewAccount(hostedDomain: Company, email: "member@" + Company);
        var outsider = GoogleTestKit.NewAccount(hostedDomain: "other.example", email: "outsider@other.example");
        using var browser = _factory.CreateBrowser();
        using var outsiderBrowser = _factory.CreateBrowser();

        var me = await GoogleSignIn.CompleteAsync(_factory, browser, await browser.SignInThroughGoogleAsync(_factory, member));
        var refused = await outsiderBrowser.SignInThroughGoogleAsync(_factory, outsider);

        Assert.Equal(member.Email, me.GetProperty("email").GetString());
        Assert.Equal("signup_not_allowed", (await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden)).GetProperty("error").GetString());
        await AssertNoUserAsync(_factory, outsider);
    }

    [Fact]
    public async Task Existing_users_outside_the_lists_keep_signing_in_and_get_no_default_roles()
    {
        using var factory = new ApiFactory
        {
            Settings =
            {
                ["Authentication:Google:AllowedDomains:0"] = Company,
                ["Authentication:Google:DefaultRoles:0"] = "admin",
            },
        };
        // One already bound to its Google account; one made with `users create` that a Gmail sign-in binds now.
        var bound = GoogleTestKit.NewAccount(email: "bound@example.com");
        await factory.CreateUserAsync(bound.Email, bound.Subject, "reader");
        var invited = GoogleTestKit.NewAccount(email: "invited@gmail.com");
        await factory.CreateUserAsync(invited.Email);
        var newcomer = GoogleTestKit.NewAccount(email: "newcomer@example.com");

        using var first = factory.CreateBrowser();
        using var second = factory.CreateBrowser();
        using var third = factory.CreateBrowser();

        var byIdToken = await SignInWithIdTokenAsync(factory, first, bound);
        var byRedirect = await GoogleSignIn.CompleteAsync(factory, second, await second.SignInThroughGoogleAsync(factory, invited));
        var refused = await SignInWithIdTokenAsync(factory, third, newcomer);

        Assert.True(byIdToken.StatusCode == HttpStatusCode.OK, await byIdToken.Content.ReadAsStringAsync());
        Assert.Equal(["reader"], (await factory.FindUserByEmailAsync(bound.Email))!.Roles);
        Assert.Equal(invited.Email, byRedirect.GetProperty("email").GetString());
        Assert.Empty(byRedirect.GetProperty("roles").EnumerateArray());
        Assert.Equal(invited.Subject, (await factory.FindUserByEmailAsync(invited.Email))!.GoogleSubject);
        Assert.Equal("signup_not_allowed", (await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden)).GetProperty("error").GetString());
        await AssertNoUserAsync(factory, newcomer);
    }

    [Fact]
    public async Task DefaultRoles_are_given_to_a_user_created_by_an_ID_token_sign_in()
    {
        using var factory = new ApiFactory
        {
            Settings =
            {
                ["Authentication:Google:DefaultRoles:0"] = "admin",
                ["Authentication:Google:DefaultRoles:1"] = "reader",
            },
        };
        var account = GoogleTestKit.NewAccount();
        using var browser = factory.CreateBrowser();

        var signedIn = await SignInWithIdTokenAsync(factory, browser, account);

        Assert.True(signedIn.StatusCode == HttpStatusCode.OK, await signedIn.Content.ReadAsStringAsync());
        Assert.Equal(["admin", "reader"], (await factory.FindUserByEmailAsync(account.Email))!.Roles);
        var credential = await CredentialAsync(signedIn);
        var me = await (await SendAsync(browser, credential, "/auth/google/me")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["admin", "reader"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
#if (jwtPlugin)
        // The roles are in the credential itself: the admin-only route lets the new user in.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(browser, credential, "/admin/ping")).StatusCode);
#endif
#if (googleJwt)
        // One role claim per role in the access token.
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(credential!.Split('.')[1]);
        using var claims = JsonDocument.Parse(payload);
        Assert.Equal(["admin", "reader"], claims.RootElement.GetProperty("role").EnumerateArray().Select(r => r.GetString()));
#endif
    }

    [Fact]
    public async Task DefaultRoles_are_given_to_a_user_created_by_the_redirect_flow()
    {
        using var factory = new ApiFactory { Settings = { ["Authentication:Google:DefaultRoles:0"] = "editor" } };
        using var browser = factory.CreateBrowser();

        var me = await GoogleSignIn.CompleteAsync(factory, browser, await browser.SignInThroughGoogleAsync(factory, GoogleTestKit.NewAccount()));

        Assert.Equal(["editor"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("AllowedDomains", "@corp.example")]
    [InlineData("AllowedDomains", "*.corp.example")]
    [InlineData("AllowedDomains", "https://corp.example")]
    [InlineData("AllowedDomains", "corp.example.")]
    [InlineData("AllowedDomains", "corp")]
    [InlineData("AllowedDomains", "corp example.com")]
    [InlineData("AllowedDomains", "alice@corp.example")]
    [InlineData("AllowedDomains", " ")]
    [InlineData("AllowedDomains", "")]
    [InlineData("AllowedEmails", "alice")]
    [InlineData("AllowedEmails", "alice@")]
    [InlineData("AllowedEmails", "@corp.example")]
    [InlineData("AllowedEmails", "alice@corp")]
    [InlineData("AllowedEmails", "alice smith@corp.example")]
    [InlineData("AllowedEmails", "corp.example")]
    [InlineData("DefaultRoles", " ")]
    [InlineData("DefaultRoles", "site admin")]
    [InlineData("DefaultRoles", "admin,reader")]
    [InlineData("DefaultRoles", "admin ")]
    public void An_invalid_sign_up_setting_stops_the_app_at_start_and_names_the_setting(string setting, string value)
    {
        using var factory = new ApiFactory();
        factory.Settings[$"Authentication:Google:{setting}:0"] = value;

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains($"Authentication:Google:{setting}: '{value}'", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_longer_than_a_user_may_hold_stops_the_app_at_start()
    {
        using var factory = new ApiFactory();
        factory.Settings["Authentication:Google:DefaultRoles:0"] = new string('r', User.RoleMaxLength + 1);

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Authentication:Google:DefaultRoles", failure.ToString(), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> SignInWithIdTokenAsync(ApiFactory factory, HttpClient browser, GoogleAccount account) =>
        browser.PostAsJsonAsync("/auth/google/id-token", new { credential = factory.GoogleServer.IssueIdToken(account) });

#if (googleJwt)
    /// <summary>What the ID-token sign-in handed out: the access token of its pair.</summary>
    private static async Task<string?> CredentialAsync(HttpResponseMessage signedIn) =>
        (await signedIn.Content.ReadFromJsonAsync<TokenPair>())!.AccessToken;
#else
    /// <summary>What the ID-token sign-in handed out: nothing but the session cookie, which the browser keeps.</summary>
    private static Task<string?> CredentialAsync(HttpResponseMessage signedIn)
    {
        Assert.NotNull(signedIn.SetCookie(GoogleSignInMode.SessionCookie));
        return Task.FromResult<string?>(null);
    }
#endif

    private static async Task<HttpResponseMessage> SendAsync(HttpClient browser, string? accessToken, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accessToken is not null)
        {
            request.Headers.Authorization = new("Bearer", accessToken);
        }

        return await browser.SendAsync(request);
    }

    /// <summary>Neither the address nor Google's sub has a user row.</summary>
    private static async Task AssertNoUserAsync(ApiFactory factory, GoogleAccount account)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserStore>();
        Assert.Null(await users.FindByEmailAsync(account.Email, CancellationToken.None));
        Assert.Null(await users.FindByGoogleSubjectAsync(account.Subject, CancellationToken.None));
    }

    public void Dispose() => _factory.Dispose();
}
