using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AuthApiTemplate.Auth;

/// <summary>
/// One default scheme, "Api", that hands each request to the scheme of the credential it carries
/// (a bearer token, an API key, a session cookie). Endpoints then need no scheme names, and
/// <c>/public/hello</c> can accept whichever credential the app supports.
/// </summary>
public static class ApiAuthenticationExtensions
{
    public const string Scheme = "Api";

    /// <summary>Registers the "Api" scheme and the shared policies. Safe to call from every auth plugin.</summary>
    public static AuthenticationBuilder AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var authentication = services.AddAuthentication(Scheme);
        if (services.Any(s => s.ServiceType == typeof(ApiCredentialSelector)))
        {
            return authentication;
        }

        services.AddSingleton<ApiCredentialSelector>();
        services.AddTransient<ApiCredentialHandler>();
        services.Configure<AuthenticationOptions>(options => options.AddScheme<ApiCredentialHandler>(Scheme, "API credentials"));

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, ScopeRequirementHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, OptionalAuthenticationHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, SignedInUserHandler>());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.OptionalUser, policy => policy.AddRequirements(new OptionalAuthenticationRequirement()))
            .AddPolicy(ApiPolicies.SignedInUser, policy => policy.RequireAuthenticatedUser().AddRequirements(new SignedInUserRequirement()))
            .AddPolicy(ApiPolicies.Admin, policy => policy.RequireAuthenticatedUser().AddRequirements(new SignedInUserRequirement()).RequireRole(ApiRoles.Admin));
        return authentication;
    }

    /// <summary>
    /// Adds a credential kind to the "Api" scheme. Kinds are tried by ascending <paramref name="order"/>
    /// (specific ones first, a catch-all such as "any Authorization header" last). The kind registered
    /// with <paramref name="answersAnonymous"/> (else the first) challenges callers with no credential.
    /// </summary>
    public static IServiceCollection AddApiCredential<THandler>(this IServiceCollection services, string scheme, Func<HttpContext, bool> isPresentIn, int order, bool answersAnonymous = false)
        where THandler : class, IAuthenticationHandler
    {
        // Resolved by the container's compiled factory on each request, not by reflection.
        services.TryAddTransient<THandler>();
        return services.Configure<ApiCredentialOptions>(options =>
        {
            options.Credentials.Add(new ApiCredential(scheme, isPresentIn, order));
            if (answersAnonymous)
            {
                options.AnonymousScheme = scheme;
            }
        });
    }
}

/// <summary>
/// The "Api" scheme: each call goes to the handler of the credential the request carries. A policy
/// scheme would do the same through a second pass of the authentication service on every request.
/// </summary>
internal sealed class ApiCredentialHandler(ApiCredentialSelector selector, IAuthenticationHandlerProvider handlers) : IAuthenticationHandler
{
    private HttpContext? _context;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public async Task<AuthenticateResult> AuthenticateAsync() => await (await TargetAsync()).AuthenticateAsync();

    public async Task ChallengeAsync(AuthenticationProperties? properties) => await (await TargetAsync()).ChallengeAsync(properties);

    public async Task ForbidAsync(AuthenticationProperties? properties) => await (await TargetAsync()).ForbidAsync(properties);

    private async Task<IAuthenticationHandler> TargetAsync()
    {
        var context = _context ?? throw new InvalidOperationException("The handler is not initialized.");
        var scheme = selector.SchemeFor(context);
        return await handlers.GetHandlerAsync(context, scheme)
            ?? throw new InvalidOperationException($"No authentication handler is registered for the scheme '{scheme}'.");
    }
}

public static class ApiPolicies
{
    /// <summary>Anonymous callers pass; a caller who presents a credential must present a valid one.</summary>
    public const string OptionalUser = "OptionalUser";

    /// <summary>A signed-in user (a token or a session), never an API key: the route acts on the user's own account.</summary>
    public const string SignedInUser = "SignedInUser";

    /// <summary>A signed-in user with the admin role.</summary>
    public const string Admin = "Admin";
}

public sealed record ApiCredential(string Scheme, Func<HttpContext, bool> IsPresentIn, int Order);

public sealed class ApiCredentialOptions
{
    public List<ApiCredential> Credentials { get; } = [];

    public string? AnonymousScheme { get; set; }
}

public sealed class ApiCredentialSelector(IOptions<ApiCredentialOptions> options)
{
    private readonly ApiCredential[] _credentials = [.. options.Value.Credentials.OrderBy(c => c.Order)];

    private readonly string? _anonymousScheme = options.Value.AnonymousScheme ?? options.Value.Credentials.FirstOrDefault()?.Scheme;

    /// <summary>The scheme of the credential the request carries, or null when it carries none.</summary>
    public string? PresentedScheme(HttpContext context)
    {
        foreach (var credential in _credentials)
        {
            if (credential.IsPresentIn(context))
            {
                return credential.Scheme;
            }
        }

        return null;
    }

    public string SchemeFor(HttpContext context) =>
        PresentedScheme(context) ?? _anonymousScheme
            ?? throw new InvalidOperationException("No API credential scheme is registered.");
}

public sealed class OptionalAuthenticationRequirement : IAuthorizationRequirement;

internal sealed class OptionalAuthenticationHandler(ApiCredentialSelector selector) : RequirementHandler<OptionalAuthenticationRequirement>
{
    protected override void Handle(AuthorizationHandlerContext context, OptionalAuthenticationRequirement requirement)
    {
        var anonymous = context.User.Identity?.IsAuthenticated != true;
        if (!anonymous || context.Resource is not HttpContext http || selector.PresentedScheme(http) is null)
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>Met by a signed-in user; an API key gets a 403 that says the route is for users.</summary>
public sealed class SignedInUserRequirement : IAuthorizationRequirement;

internal sealed class SignedInUserHandler : RequirementHandler<SignedInUserRequirement>
{
    protected override void Handle(AuthorizationHandlerContext context, SignedInUserRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        if (context.User.HasClaim(c => c.Type == ApiClaimTypes.ApiKeyId))
        {
            context.Fail(new AuthorizationFailureReason(this, "This route acts on a signed-in user's account; an API key cannot call it."));
        }
        else
        {
            context.Succeed(requirement);
        }
    }
}
