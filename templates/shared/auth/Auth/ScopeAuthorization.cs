using Microsoft.AspNetCore.Authorization;

namespace AuthApiTemplate.Auth;

/// <summary>Who besides an API key holding the scope may call an endpoint guarded by a scope.</summary>
public enum SignedInUserAccess
{
    /// <summary>Any signed-in user (the sample items resource).</summary>
    AnyUser,
    /// <summary>Only users with the admin role (key management, usage analytics).</summary>
    AdminOnly,
}

/// <summary>
/// An API key passes when one of its granted scopes grants <see cref="Scope"/>; a signed-in user
/// (JWT or cookie session) passes as <see cref="Users"/> says.
/// </summary>
public sealed class ScopeRequirement(string scope, SignedInUserAccess users) : IAuthorizationRequirement
{
    public string Scope { get; } = ScopeMatcher.IsValid(scope) && !scope.Contains('*', StringComparison.Ordinal)
        ? scope
        : throw new ArgumentException($"'{scope}' is not a concrete scope.", nameof(scope));

    public SignedInUserAccess Users { get; } = users;
}

public sealed class ScopeRequirementHandler : RequirementHandler<ScopeRequirement>
{
    protected override void Handle(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // One pass over the claims: this runs on every request to a guarded endpoint.
        var isApiKey = false;
        var scopeGranted = false;
        foreach (var claim in user.Claims)
        {
            if (claim.Type == ApiClaimTypes.ApiKeyId)
            {
                isApiKey = true;
            }
            else if (!scopeGranted && claim.Type == ApiClaimTypes.Scope)
            {
                scopeGranted = ScopeMatcher.Grants(claim.Value, requirement.Scope);
            }
        }

        var granted = isApiKey
            ? scopeGranted
            : requirement.Users == SignedInUserAccess.AnyUser || user.IsInRole(ApiRoles.Admin);

        if (granted)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, isApiKey
                ? $"The API key lacks the scope '{requirement.Scope}'."
                : $"The '{ApiRoles.Admin}' role is required."));
        }
    }
}

public static class ScopeAuthorizationExtensions
{
    /// <summary>API keys need <paramref name="scope"/>; signed-in users pass as <paramref name="users"/> says.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope, SignedInUserAccess users = SignedInUserAccess.AnyUser)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(scope, users)))
            .WithMetadata(new RequiredScopeMetadata(scope));
}

/// <summary>
/// The rule of <see cref="ScopeAuthorizationExtensions.RequireScope"/> as an attribute, for MVC controllers and
/// actions: <c>[RequireScope("items:read")]</c>. Like <c>[Authorize]</c>, it requires a signed-in caller; the
/// authorization middleware adds its scope requirement to the endpoint's policy.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class RequireScopeAttribute(string scope, SignedInUserAccess users = SignedInUserAccess.AnyUser)
    : Attribute, IAuthorizeData, IAuthorizationRequirementData, IRequiredScopeMetadata
{
    // Built here so that a malformed scope fails when the endpoints are built, not on the first request.
    private readonly ScopeRequirement _requirement = new(scope, users);

    public string Scope => _requirement.Scope;

    string? IAuthorizeData.Policy { get; set; }

    string? IAuthorizeData.Roles { get; set; }

    string? IAuthorizeData.AuthenticationSchemes { get; set; }

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [_requirement];
}

/// <summary>Read by the OpenAPI transformer to list an endpoint's scopes.</summary>
public interface IRequiredScopeMetadata
{
    string Scope { get; }
}

public sealed record RequiredScopeMetadata(string Scope) : IRequiredScopeMetadata;
