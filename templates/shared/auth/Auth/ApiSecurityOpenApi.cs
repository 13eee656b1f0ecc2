using AuthApiTemplate.Infrastructure.OpenApi;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace AuthApiTemplate.Auth;

/// <summary>Who a credential kind stands for, which decides where the OpenAPI document lists its scheme.</summary>
public enum ApiCredentialKind
{
    /// <summary>A signed-in user (a bearer token, a session cookie): passes on roles, never on scopes.</summary>
    SignedInUser,

    /// <summary>An API key: passes on scopes, never on roles or user-only routes.</summary>
    ApiKey,
}

public sealed record ApiSecurityScheme(string Name, ApiCredentialKind Kind, Func<OpenApiSecurityScheme> Create);

public sealed class ApiSecuritySchemeOptions
{
    public List<ApiSecurityScheme> Schemes { get; } = [];
}

/// <summary>
/// Puts each credential kind's security scheme in the OpenAPI document and gives every operation the security
/// requirements of the policy it really runs: an anonymous route an empty requirement; a user-only route (a
/// role, fresh login, the user's own account) only the user schemes, with the roles; a scope-guarded route the
/// API key scheme with the scope beside the user schemes; a route open to anyone signed in every scheme.
/// </summary>
public static class ApiSecurityOpenApi
{
    public static IServiceCollection AddApiSecurityScheme(this IServiceCollection services, string name, ApiCredentialKind kind, Func<OpenApiSecurityScheme> scheme)
    {
        if (!services.Any(s => s.ServiceType == typeof(ApiSecurityTransformer)))
        {
            services.AddSingleton<ApiSecurityTransformer>();
            services.ConfigureAll<OpenApiOptions>(options =>
            {
                options.AddDocumentTransformer<ApiSecurityTransformer>();
                options.AddOperationTransformer<ApiSecurityTransformer>();
            });
        }

        return services.Configure<ApiSecuritySchemeOptions>(options => options.Schemes.Add(new ApiSecurityScheme(name, kind, scheme)));
    }
}

internal sealed class ApiSecurityTransformer(IOptions<ApiSecuritySchemeOptions> options, IAuthorizationPolicyProvider policies)
    : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private readonly IReadOnlyList<ApiSecurityScheme> _schemes = options.Value.Schemes;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        foreach (var scheme in _schemes)
        {
            document.Components.SecuritySchemes[scheme.Name] = scheme.Create();
        }

        return Task.CompletedTask;
    }

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<IAllowAnonymous>().Any()
            ? null
            : await AuthorizationPolicy.CombineAsync(policies, metadata.OfType<IAuthorizeData>(), metadata.OfType<AuthorizationPolicy>());
        var document = context.Document!;
        var anonymous = new OpenApiSecurityRequirement();
        if (policy is null)
        {
            operation.Security = [anonymous];
            return;
        }

        var requirements = policy.Requirements;
        var scopes = requirements.OfType<ScopeRequirement>().ToList();
        var roles = requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles)
            .Concat(scopes.Any(s => s.Users == SignedInUserAccess.AdminOnly) ? [ApiRoles.Admin] : [])
            .Distinct(StringComparer.Ordinal).ToList();
        var usersOnly = requirements.Any(r => r is SignedInUserRequirement or RolesAuthorizationRequirement);
        var optional = requirements.Count > 0 && requirements.All(r => r is OptionalAuthenticationRequirement);

        operation.Security = optional ? [anonymous] : [];
        foreach (var scheme in _schemes)
        {
            if (scheme.Kind == ApiCredentialKind.ApiKey && usersOnly)
            {
                continue;
            }

            var listed = scheme.Kind == ApiCredentialKind.ApiKey ? scopes.Select(s => s.Scope).Distinct(StringComparer.Ordinal).ToList() : roles;
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme.Name, document)] = listed });
        }

        await ProblemResponses.AddAsync(operation, context, StatusCodes.Status401Unauthorized,
            optional ? "A credential was presented and is not valid." : "No valid credential: `WWW-Authenticate` says why.", cancellationToken);
        if (!optional && (usersOnly || scopes.Count > 0 || requirements.Any(r => r is not DenyAnonymousAuthorizationRequirement)))
        {
            await ProblemResponses.AddAsync(operation, context, StatusCodes.Status403Forbidden, "The credential is valid but does not grant this route.", cancellationToken);
        }
    }
}
